package io.chainboot.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Objects;

/**
 * A DHCP lease: the value on the compacted {@link Topics#LEASES} topic, keyed by IP ({@link #key()}). Lets
 * services that only see an address (TFTP, iSCSI, HTTP boot files) name the machine.
 *
 * <p>A DHCPv4 lease has {@code ip}; a DHCPv6 lease (an IA_NA address in full mode) has {@code ip} null and
 * {@code ipv6} the address in its RFC 5952 text ({@link Names#ipv6}), which is then also the record key.
 * Exactly one of the two is set. {@code mac} is the client's MAC; a DHCPv6 client whose MAC cannot be
 * known (its DUID carries none and its source is not an EUI-64 link-local address) has no lease record.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Lease(Ipv4Address ip, MacAddress mac, Instant expiresAt, String hostname, String ipv6) {
    public Lease {
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if ((ip == null) == (ipv6 == null)) {
            throw new IllegalArgumentException(ip == null ? "a lease needs ip or ipv6" : "a lease has ip or ipv6, not both");
        }
        if (ipv6 != null) {
            ipv6 = canonicalIpv6(ipv6);
        }
    }

    private static final java.util.regex.Pattern IPV6_TEXT = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    /** A DHCPv4 lease ({@code ipv6} null). */
    public Lease(Ipv4Address ip, MacAddress mac, Instant expiresAt, String hostname) {
        this(Objects.requireNonNull(ip, "ip"), mac, expiresAt, hostname, null);
    }

    /** A DHCPv6 lease of {@code address}. */
    public static Lease ofIpv6(Inet6Address address, MacAddress mac, Instant expiresAt) {
        return new Lease(null, mac, expiresAt, null, Names.ipv6(address));
    }

    /** The record key on {@link Topics#LEASES}: the IPv4 address, or the IPv6 address in RFC 5952 text. */
    @JsonIgnore
    public String key() {
        return ip != null ? ip.toString() : ipv6;
    }

    public boolean isActiveAt(Instant now) {
        return now.isBefore(expiresAt);
    }

    /**
     * {@code text} as an IPv6 address in RFC 5952 text; refused when it is not an IPv6 literal or has a scope. A
     * name is never looked up: only hex digits, colons and dots reach the parser, which then reads a literal.
     */
    static String canonicalIpv6(String text) {
        String t = text.strip();
        if (t.indexOf(':') < 0 || !IPV6_TEXT.matcher(t).matches()) {
            throw new IllegalArgumentException("not an IPv6 address: '" + text + "'");
        }
        try {
            if (InetAddress.getByName(t) instanceof Inet6Address a) {
                return Names.ipv6(a);
            }
        } catch (UnknownHostException e) {
            // below
        }
        throw new IllegalArgumentException("not an IPv6 address: '" + text + "'");
    }
}
