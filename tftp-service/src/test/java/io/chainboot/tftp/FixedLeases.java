package io.chainboot.tftp;

import io.chainboot.common.LeaseDirectory;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A lease table holding exactly the leases a test puts in it (127.0.0.1 → 52:54:00:12:34:56 by default). */
@Alternative
@Priority(1)
@ApplicationScoped
public class FixedLeases implements LeaseDirectory {
    public static final MacAddress LOOPBACK_MAC = MacAddress.parse("52:54:00:12:34:56");
    private final Map<Ipv4Address, MacAddress> macs = new ConcurrentHashMap<>();

    public FixedLeases() {
        macs.put(Ipv4Address.parse("127.0.0.1"), LOOPBACK_MAC);
    }

    public FixedLeases empty() {
        macs.clear();
        return this;
    }

    @Override
    public Optional<Lease> byIp(Ipv4Address ip) {
        return Optional.empty();
    }

    @Override
    public Optional<MacAddress> macOf(Ipv4Address ip) {
        return Optional.ofNullable(macs.get(ip));
    }
}
