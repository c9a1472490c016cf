package io.chainboot.dhcp.v6.codec;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** RFC 8415 §7.3 message types; each constant owns its wire number (duplicates fail at class load). */
public enum Dhcpv6MessageType {
    SOLICIT(1), ADVERTISE(2), REQUEST(3), CONFIRM(4), RENEW(5), REBIND(6), REPLY(7), RELEASE(8), DECLINE(9),
    RECONFIGURE(10), INFORMATION_REQUEST(11), RELAY_FORW(12), RELAY_REPL(13);

    private static final Map<Integer, Dhcpv6MessageType> BY_CODE = new HashMap<>();

    static {
        for (Dhcpv6MessageType t : values()) {
            if (BY_CODE.put(t.code, t) != null) {
                throw new ExceptionInInitializerError("duplicate DHCPv6 message type " + t.code);
            }
        }
    }

    private final int code;

    Dhcpv6MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<Dhcpv6MessageType> of(int code) {
        return Optional.ofNullable(BY_CODE.get(code));
    }
}
