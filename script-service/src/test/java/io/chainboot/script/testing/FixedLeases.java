package io.chainboot.script.testing;

import io.chainboot.common.LeaseDirectory;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;
import io.chainboot.events.Names;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A lease table holding exactly the leases a test puts in it. */
@Alternative
@Priority(1)
@ApplicationScoped
public class FixedLeases implements LeaseDirectory {
    private final Map<Ipv4Address, MacAddress> macs = new ConcurrentHashMap<>();
    private final Map<String, MacAddress> macs6 = new ConcurrentHashMap<>();

    public void put(Ipv4Address ip, MacAddress mac) {
        macs.put(ip, mac);
    }

    /** A DHCPv6 lease of {@code ip} (any IPv6 text; kept under its RFC 5952 form, as on chainboot.leases). */
    public void put6(String ip, MacAddress mac) {
        macs6.put(Lease.ofIpv6(v6(ip), mac, Instant.EPOCH).key(), mac);
    }

    public void clear() {
        macs.clear();
        macs6.clear();
    }

    @Override
    public Optional<Lease> byIpv6(Inet6Address ip) {
        String key = Names.ipv6(ip);
        return Optional.ofNullable(macs6.get(key)).map(m -> Lease.ofIpv6(ip, m, Instant.EPOCH.plusSeconds(3600)));
    }

    private static Inet6Address v6(String ip) {
        try {
            return (Inet6Address) InetAddress.getByName(ip);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    @Override
    public Optional<Lease> byIp(Ipv4Address ip) {
        return Optional.ofNullable(macs.get(ip)).map(m -> new Lease(ip, m, Instant.EPOCH.plusSeconds(3600), null));
    }
}
