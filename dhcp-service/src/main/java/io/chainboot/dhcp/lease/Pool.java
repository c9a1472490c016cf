package io.chainboot.dhcp.lease;

import io.chainboot.events.Ipv4Address;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A full-mode address pool: a range inside one subnet, and the options given with its leases. */
public record Pool(Ipv4Address start, Ipv4Address end, Ipv4Address subnetMask, Optional<Ipv4Address> router,
                   List<Ipv4Address> dns) {
    public Pool {
        Objects.requireNonNull(start, "pool.start");
        Objects.requireNonNull(end, "pool.end");
        Objects.requireNonNull(subnetMask, "pool.subnet-mask");
        dns = List.copyOf(dns);
        if (start.compareTo(end) > 0) {
            throw new IllegalArgumentException("pool start " + start + " is after end " + end);
        }
        if ((start.value() & subnetMask.value()) != (end.value() & subnetMask.value())) {
            throw new IllegalArgumentException("pool " + start + "-" + end + " spans more than one subnet of " + subnetMask);
        }
    }

    public boolean inRange(Ipv4Address ip) {
        return ip.compareTo(start) >= 0 && ip.compareTo(end) <= 0;
    }

    public boolean inSubnet(Ipv4Address ip) {
        return (ip.value() & subnetMask.value()) == (start.value() & subnetMask.value());
    }

    /** Whether the two pools' subnets share an address (the shorter mask decides). */
    public boolean overlaps(Pool other) {
        int mask = subnetMask.value() & other.subnetMask.value();
        return (start.value() & mask) == (other.start.value() & mask);
    }

    /** {@code START-END/MASK} for messages. */
    public String describe() {
        return start + "-" + end + "/" + subnetMask;
    }

    public int size() {
        return (int) (end.unsigned() - start.unsigned() + 1);
    }
}
