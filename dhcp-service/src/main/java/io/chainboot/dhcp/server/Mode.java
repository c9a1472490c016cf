package io.chainboot.dhcp.server;

/** {@code full}: hands out addresses (RFC 2131). {@code proxy}: boot information only (PXE spec 2.1 §2.2.5 proxyDHCP). */
public enum Mode {
    FULL, PROXY;

    private final String wire = name().toLowerCase(java.util.Locale.ROOT);

    /** The mode as events and logs spell it ({@code full}, {@code proxy}). */
    public String wire() {
        return wire;
    }
}
