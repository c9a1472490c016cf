package io.chainboot.common;

import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The in-memory view of {@link io.chainboot.events.Topics#LEASES}: which MAC holds an address. DHCPv4 leases
 * are found by {@link #byIp}, DHCPv6 IA_NA leases (full mode) by {@link #byIpv6}; {@link #macOf(InetAddress)}
 * takes whichever a socket gave.
 */
public interface LeaseDirectory {
    Optional<Lease> byIp(Ipv4Address ip);

    /**
     * The DHCPv6 lease of {@code ip}. The default holds none: a view that is not fed by the leases topic
     * (a test's fixed table) knows no IPv6 lease unless it says so.
     */
    default Optional<Lease> byIpv6(Inet6Address ip) {
        return Optional.empty();
    }

    /** The MAC holding {@code ip}, expired leases included (a TFTP fetch right after expiry still names the machine). */
    default Optional<MacAddress> macOf(Ipv4Address ip) {
        return byIp(ip).map(Lease::mac);
    }

    /**
     * The MAC holding {@code address}, IPv4 or IPv6 (an IPv4-mapped {@code ::ffff:a.b.c.d}, what a dual-stack
     * socket may report, is looked up as IPv4), expired leases included; empty for null.
     */
    default Optional<MacAddress> macOf(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return macOf(Ipv4Address.of(v4));
        }
        if (address instanceof Inet6Address v6) {
            Optional<Ipv4Address> mapped = Addresses.ipv4Mapped(v6);
            return mapped.isPresent() ? macOf(mapped.get()) : byIpv6(v6).map(Lease::mac);
        }
        return Optional.empty();
    }
}
