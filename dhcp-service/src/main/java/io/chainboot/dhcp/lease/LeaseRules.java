package io.chainboot.dhcp.lease;

import io.chainboot.events.Ipv4Address;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * What a {@link LeaseTable} may do beyond RFC 2131 when several instances share its pool
 * (docs/dhcp-ha.md, rules 1, 4 and 5). {@link #SINGLE}: one instance, the plain RFC 2131 table.
 *
 * @param ownShare    rule 1: addresses this instance may give to a client that does not hold them
 * @param mclt        rule 4: no grant ends later than the last expiry read back from Kafka + mclt;
 *                    rule 5: an address another client held is reused only after its expiry + mclt.
 *                    {@code null} for a single instance (no bound)
 * @param viewCurrent rule 5: whether the instance's view of {@code chainboot.leases} is current at a time
 */
public record LeaseRules(Predicate<Ipv4Address> ownShare, Duration mclt, Predicate<Instant> viewCurrent) {
    public static final LeaseRules SINGLE = new LeaseRules(ip -> true, null, now -> true);

    public LeaseRules {
        Objects.requireNonNull(ownShare, "ownShare");
        Objects.requireNonNull(viewCurrent, "viewCurrent");
    }

    /** Whether the table is one of several sharing the pool (the HA rules apply). */
    public boolean shared() {
        return mclt != null;
    }
}
