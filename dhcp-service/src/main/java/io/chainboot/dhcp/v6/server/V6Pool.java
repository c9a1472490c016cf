package io.chainboot.dhcp.v6.server;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A range of IPv6 addresses handed out in IA_NA ({@code chainboot.dhcp.v6.pool}, {@code START-END}, e.g.
 * {@code fd77::100-fd77::1ff}): both ends in one /64, at most {@link #MAX_SIZE} addresses.
 */
public record V6Pool(Inet6Address start, Inet6Address end) {
    public static final int MAX_SIZE = 1 << 20;

    public V6Pool {
        if (!samePrefix64(start, end)) {
            throw new IllegalArgumentException("chainboot.dhcp.v6.pool: " + start.getHostAddress() + " and " + end.getHostAddress()
                    + " are not in one /64");
        }
        if (toBig(end).compareTo(toBig(start)) < 0) {
            throw new IllegalArgumentException("chainboot.dhcp.v6.pool: the end " + end.getHostAddress() + " is before the start");
        }
        if (toBig(end).subtract(toBig(start)).compareTo(BigInteger.valueOf(MAX_SIZE)) >= 0) {
            throw new IllegalArgumentException("chainboot.dhcp.v6.pool: more than " + MAX_SIZE + " addresses");
        }
        if (start.isLinkLocalAddress() || start.isMulticastAddress()) {
            throw new IllegalArgumentException("chainboot.dhcp.v6.pool: " + start.getHostAddress()
                    + " is link-local or multicast; use a global or unique-local (fd00::/8) range");
        }
    }

    /** {@code START-END}; the message names the key. */
    public static V6Pool parse(String text) {
        String t = text.strip();
        int dash = t.indexOf('-');
        if (dash < 0) {
            throw new IllegalArgumentException("chainboot.dhcp.v6.pool '" + text + "' is not START-END, e.g. fd77::100-fd77::1ff");
        }
        return new V6Pool(address(t.substring(0, dash)), address(t.substring(dash + 1)));
    }

    static Inet6Address address(String s) {
        String a = s.strip();
        if (!a.contains(":")) {
            throw new IllegalArgumentException("chainboot.dhcp.v6.pool: '" + a + "' is not an IPv6 address");
        }
        try {
            InetAddress i = InetAddress.getByName(a);
            if (i instanceof Inet6Address v6) {
                return v6;
            }
        } catch (UnknownHostException e) {
            // below
        }
        throw new IllegalArgumentException("chainboot.dhcp.v6.pool: '" + a + "' is not an IPv6 address");
    }

    public int size() {
        return toBig(end).subtract(toBig(start)).intValueExact() + 1;
    }

    /** The {@code i}-th address, 0 = start. */
    public Inet6Address get(int i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException(i);
        }
        return fromBig(toBig(start).add(BigInteger.valueOf(i)));
    }

    public boolean contains(Inet6Address a) {
        BigInteger v = toBig(a);
        return v.compareTo(toBig(start)) >= 0 && v.compareTo(toBig(end)) <= 0;
    }

    static boolean samePrefix64(Inet6Address a, Inet6Address b) {
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        for (int i = 0; i < 8; i++) {
            if (x[i] != y[i]) {
                return false;
            }
        }
        return true;
    }

    static BigInteger toBig(Inet6Address a) {
        return new BigInteger(1, a.getAddress());
    }

    static Inet6Address fromBig(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[16];
        int n = Math.min(raw.length, 16);
        System.arraycopy(raw, raw.length - n, out, 16 - n, n);
        try {
            return (Inet6Address) InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return io.chainboot.events.Names.ipv6(start) + "-" + io.chainboot.events.Names.ipv6(end);
    }
}
