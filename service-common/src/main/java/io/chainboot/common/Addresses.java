package io.chainboot.common;

import io.chainboot.events.Ipv4Address;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** Pure: a peer's address as a socket library reports it, turned into an address to look up in the lease view. */
public final class Addresses {
    private static final java.util.regex.Pattern IPV6_TEXT = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private Addresses() {
    }

    /**
     * {@code text} (a remote host address: {@code 10.77.0.100}, {@code fd77:0:0:0:0:0:0:100}, {@code [fd77::100]},
     * {@code fe80::1%eth0}, {@code ::ffff:10.77.0.100}) as an address; an IPv4-mapped IPv6 address comes back as
     * the IPv4 address, a scope is dropped. Empty for null or anything that is not an IP literal: a name is never
     * resolved (IPv4 text is parsed strictly; only hex digits, colons and dots reach the IPv6 literal parser).
     */
    public static Optional<InetAddress> literal(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        int zone = t.indexOf('%');
        if (zone >= 0) {
            t = t.substring(0, zone);
        }
        try {
            if (t.indexOf(':') < 0) {
                return Optional.of(Ipv4Address.parse(t).toInetAddress());
            }
            if (!IPV6_TEXT.matcher(t).matches()) {
                return Optional.empty(); // only hex digits, colons and dots: the parser then never looks a name up
            }
            InetAddress a = InetAddress.getByName(t);
            if (a instanceof Inet6Address v6) {
                Optional<Ipv4Address> mapped = ipv4Mapped(v6);
                if (mapped.isPresent()) {
                    return Optional.of(mapped.get().toInetAddress());
                }
            }
            return Optional.of(a);
        } catch (UnknownHostException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The IPv4 address inside an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, RFC 4291 §2.5.5.2), else empty. */
    public static Optional<Ipv4Address> ipv4Mapped(Inet6Address a) {
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return Optional.empty();
            }
        }
        if ((b[10] & 0xFF) != 0xFF || (b[11] & 0xFF) != 0xFF) {
            return Optional.empty();
        }
        return Optional.of(Ipv4Address.of(b, 12));
    }
}
