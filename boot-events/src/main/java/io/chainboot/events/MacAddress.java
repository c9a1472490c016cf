package io.chainboot.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.HexFormat;

/**
 * A 48-bit Ethernet hardware address. The canonical form — the Kafka key of every boot event
 * about a machine — is lower-case and colon-separated ({@code 52:54:00:12:34:56}).
 *
 * <p>{@link #parse} accepts the spellings the boot chain meets: colons, hyphens (iPXE's
 * {@code ${mac:hexhyp}}), dots ({@code 5254.0012.3456}) or bare hex, any case.
 */
public record MacAddress(long value) implements Comparable<MacAddress> {

    public MacAddress {
        if ((value & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("MAC address out of 48-bit range: " + Long.toHexString(value));
        }
    }

    /** From the first six bytes of {@code bytes} starting at {@code offset} (e.g. DHCP chaddr). */
    public static MacAddress of(byte[] bytes, int offset) {
        if (bytes.length - offset < 6) {
            throw new IllegalArgumentException("need 6 bytes for a MAC address, have " + (bytes.length - offset));
        }
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (bytes[offset + i] & 0xFF);
        }
        return new MacAddress(v);
    }

    public static MacAddress of(byte[] bytes) {
        return of(bytes, 0);
    }

    @JsonCreator
    public static MacAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("MAC address is missing");
        }
        String hex = text.strip();
        StringBuilder digits = new StringBuilder(12);
        char separator = 0;
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (Character.digit(c, 16) >= 0) {
                digits.append(c);
            } else if (c == ':' || c == '-' || c == '.') {
                if (separator != 0 && separator != c) {
                    throw new IllegalArgumentException("MAC address mixes separators: '" + text + "'");
                }
                separator = c;
            } else {
                throw new IllegalArgumentException("not a MAC address: '" + text + "'");
            }
        }
        if (digits.length() != 12) {
            throw new IllegalArgumentException("not a MAC address (need 12 hex digits): '" + text + "'");
        }
        if (separator == ':' || separator == '-') {
            // six groups of exactly two digits
            String[] groups = hex.split(separator == ':' ? ":" : "-", -1);
            if (groups.length != 6) {
                throw new IllegalArgumentException("not a MAC address (need six groups): '" + text + "'");
            }
            for (String g : groups) {
                if (g.length() != 2) {
                    throw new IllegalArgumentException("not a MAC address (two digits per group): '" + text + "'");
                }
            }
        }
        return new MacAddress(Long.parseLong(digits.toString(), 16));
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (value >>> (8 * (5 - i)));
        }
        return b;
    }

    /** Canonical form: {@code 52:54:00:12:34:56}. */
    @JsonValue
    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(toBytes());
    }

    /** iPXE's {@code ${mac:hexhyp}} form: {@code 52-54-00-12-34-56}. */
    public String toHyphenated() {
        return HexFormat.ofDelimiter("-").formatHex(toBytes());
    }

    /** Bare lower-case hex: {@code 525400123456}. */
    public String toHex() {
        return HexFormat.of().formatHex(toBytes());
    }

    @Override
    public int compareTo(MacAddress o) {
        return Long.compare(value, o.value);
    }
}
