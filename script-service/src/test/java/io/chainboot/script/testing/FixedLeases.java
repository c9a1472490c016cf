package io.chainboot.script.testing;

import io.chainboot.common.LeaseDirectory;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

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

    public void put(Ipv4Address ip, MacAddress mac) {
        macs.put(ip, mac);
    }

    public void clear() {
        macs.clear();
    }

    @Override
    public Optional<Lease> byIp(Ipv4Address ip) {
        return Optional.ofNullable(macs.get(ip)).map(m -> new Lease(ip, m, Instant.EPOCH.plusSeconds(3600), null));
    }
}
