package io.chainboot.dhcp.v6.codec;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One DHCPv6 option as on the wire (RFC 8415 §21.1: 16-bit code, 16-bit length, data). Codes used by
 * the network-boot path are named here; typed views of their data are on {@link Dhcpv6Message}.
 */
public record Dhcpv6Option(int code, byte[] data) {
    /** RFC 8415 §21.2. */
    public static final int CLIENT_ID = 1;
    /** RFC 8415 §21.3. */
    public static final int SERVER_ID = 2;
    /** RFC 8415 §21.4. */
    public static final int IA_NA = 3;
    /** RFC 8415 §21.6 (inside IA_NA). */
    public static final int IA_ADDR = 5;
    /** RFC 8415 §21.7. */
    public static final int ORO = 6;
    /** RFC 8415 §21.8. */
    public static final int PREFERENCE = 7;
    /** RFC 8415 §21.9. */
    public static final int ELAPSED_TIME = 8;
    /** RFC 8415 §21.13. */
    public static final int STATUS_CODE = 13;
    /** RFC 8415 §21.15. */
    public static final int USER_CLASS = 15;
    /** RFC 8415 §21.16. */
    public static final int VENDOR_CLASS = 16;
    /** RFC 3646 §3. */
    public static final int DNS_SERVERS = 23;
    /** RFC 5970 §3.1. */
    public static final int BOOTFILE_URL = 59;
    /** RFC 5970 §3.2. */
    public static final int BOOTFILE_PARAM = 60;
    /** RFC 5970 §3.3. */
    public static final int CLIENT_ARCH_TYPE = 61;
    /** RFC 5970 §3.4. */
    public static final int NII = 62;

    public Dhcpv6Option {
        if (code < 0 || code > 0xFFFF || data.length > 0xFFFF) {
            throw new IllegalArgumentException("option code or length out of range");
        }
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dhcpv6Option other && other.code == code && Arrays.equals(other.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * code + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return code + ":" + HexFormat.of().formatHex(data);
    }
}
