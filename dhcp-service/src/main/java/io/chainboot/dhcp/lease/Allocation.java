package io.chainboot.dhcp.lease;

import io.chainboot.events.Ipv4Address;

/** The answer of {@link LeaseTable#commit}: the client now holds the address, or why not. */
public sealed interface Allocation {
    record Bound(LeaseEntry entry) implements Allocation {
    }

    record Refused(Ipv4Address ip, String reason) implements Allocation {
    }
}
