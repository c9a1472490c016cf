package io.chainboot.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 address as an unsigned 32-bit value. Parsing is strict dotted-quad (no host names,
 * no octal, no shorthand), so a value from a packet or a config file never triggers DNS.
 */
public record Ipv4Address(int value) implements Comparable<Ipv4Address> {

    public static final Ipv4Address ANY = new Ipv4Address(0);
    public static final Ipv4Address BROADCAST = new Ipv4Address(0xFFFFFFFF);

    @JsonCreator
    public static Ipv4Address parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("IPv4 address is missing");
        }
        String[] parts = text.strip().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            int octet = 0;
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if (c < '0' || c > '9') {
                    throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
                }
                octet = octet * 10 + (c - '0');
            }
            if (octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address (octet > 255): '" + text + "'");
            }
            v = (v << 8) | octet;
        }
        return new Ipv4Address(v);
    }

    public static Ipv4Address of(byte[] bytes, int offset) {
        if (bytes.length - offset < 4) {
            throw new IllegalArgumentException("need 4 bytes for an IPv4 address");
        }
        return new Ipv4Address(((bytes[offset] & 0xFF) << 24) | ((bytes[offset + 1] & 0xFF) << 16)
                | ((bytes[offset + 2] & 0xFF) << 8) | (bytes[offset + 3] & 0xFF));
    }

    public static Ipv4Address of(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("not an IPv4 address: " + address);
        }
        return of(address.getAddress(), 0);
    }

    public byte[] toBytes() {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    public InetAddress toInetAddress() {
        try {
            return InetAddress.getByAddress(toBytes());
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 bytes are always a valid address
        }
    }

    public boolean isAny() {
        return value == 0;
    }

    /** {@code this + n}, for walking an address pool. */
    public Ipv4Address plus(int n) {
        return new Ipv4Address(value + n);
    }

    public long unsigned() {
        return Integer.toUnsignedLong(value);
    }

    @JsonValue
    @Override
    public String toString() {
        return ((value >>> 24) & 0xFF) + "." + ((value >>> 16) & 0xFF) + "." + ((value >>> 8) & 0xFF) + "." + (value & 0xFF);
    }

    @Override
    public int compareTo(Ipv4Address o) {
        return Integer.compareUnsigned(value, o.value);
    }
}
