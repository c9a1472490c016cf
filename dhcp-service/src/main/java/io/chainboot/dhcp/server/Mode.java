package io.chainboot.dhcp.server;

/** {@code full}: hands out addresses (RFC 2131). {@code proxy}: boot information only (PXE spec 2.1 §2.2.5 proxyDHCP). */
public enum Mode {
    FULL, PROXY;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
