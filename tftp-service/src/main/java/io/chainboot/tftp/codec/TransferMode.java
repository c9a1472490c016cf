package io.chainboot.tftp.codec;

import java.util.Locale;

/** Transfer modes of RFC 1350 §1; "mail" is obsolete and refused by the server. */
public enum TransferMode {
    NETASCII, OCTET, MAIL;

    /** Case-insensitive (RFC 1350 §5: "in any combination of upper and lower case"); null when unknown. */
    public static TransferMode parse(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "netascii": return NETASCII;
            case "octet": return OCTET;
            case "mail": return MAIL;
            default: return null;
        }
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
