package io.chainboot.dhcp.lease;

import io.chainboot.events.Ipv4Address;

/** The answer of {@link LeaseTable#commit}: the client now holds the address, or why not. */
public sealed interface Allocation {
    /**
     * @param grantedUntil the end of the lease told to the client: the entry's expiry, or earlier when
     *                     several instances share the pool (the MCLT bound, docs/dhcp-ha.md rule 4); the
     *                     entry's expiry is then the potential expiry, published and held
     */
    record Bound(LeaseEntry entry, java.time.Instant grantedUntil) implements Allocation {
        public Bound(LeaseEntry entry) {
            this(entry, entry.expiresAt());
        }
    }

    record Refused(Ipv4Address ip, String reason) implements Allocation {
    }
}
