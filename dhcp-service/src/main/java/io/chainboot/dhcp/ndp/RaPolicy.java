package io.chainboot.dhcp.ndp;

import java.util.Locale;

/** Which router solicitations Chainboot answers ({@code chainboot.dhcp.router-advertisements}). */
public enum RaPolicy {
    /** Every solicitation on the boot LAN (the full-mode default: Chainboot is the network's only server). */
    ALL,
    /** Only machines Chainboot just saw PXE- or iPXE-booting (the proxy-mode default, next to someone else's router). */
    BOOTING_CLIENTS,
    /** Never. */
    OFF;

    /** {@code auto} picks {@link #ALL} in full mode, {@link #BOOTING_CLIENTS} in proxy mode. */
    public static RaPolicy parse(String text, boolean fullMode) {
        String t = text.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (t) {
            case "auto" -> fullMode ? ALL : BOOTING_CLIENTS;
            case "all" -> ALL;
            case "booting-clients" -> BOOTING_CLIENTS;
            case "off", "false" -> OFF;
            default -> throw new IllegalArgumentException(
                    "chainboot.dhcp.router-advertisements must be auto, all, booting-clients or off, not '" + text + "'");
        };
    }
}
