package io.chainboot.dhcp.lease;

import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The HA rules inside the table (docs/dhcp-ha.md rules 1, 4, 5), with the share and the view given. */
class LeaseTableHaTest {
    static final Pool POOL = new Pool(Ipv4Address.parse("10.0.0.10"), Ipv4Address.parse("10.0.0.13"),
            Ipv4Address.parse("255.255.255.0"), Optional.empty(), List.of());
    static final Ipv4Address OURS = Ipv4Address.parse("10.0.0.10");
    static final Ipv4Address OURS2 = Ipv4Address.parse("10.0.0.11");
    static final Ipv4Address THEIRS = Ipv4Address.parse("10.0.0.12");
    static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");
    static final MacAddress C = MacAddress.parse("02:00:00:00:00:0c");
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration LEASE = Duration.ofMinutes(10);
    static final Duration MCLT = Duration.ofMinutes(1);
    static final Duration HOLD = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    boolean current = true;

    LeaseTable table() throws Exception {
        return new LeaseTable(POOL, dir, false, ip -> Optional.empty(),
                new LeaseRules(ip -> ip.compareTo(THEIRS) < 0, MCLT, now -> current));
    }

    @Test
    void newAddressesComeOnlyFromTheOwnShare() throws Exception {
        try (LeaseTable t = table()) {
            assertThat(t.offer(A, Optional.empty(), Optional.of(THEIRS), T0, HOLD)).contains(OURS);
            assertThat(t.offer(B, Optional.empty(), Optional.empty(), T0, HOLD)).contains(OURS2);
            assertThat(t.offer(C, Optional.empty(), Optional.empty(), T0, HOLD)).as("own share exhausted").isEmpty();
            assertThat(t.commit(C, THEIRS, false, LEASE, null, T0)).isInstanceOf(Allocation.Refused.class);
        }
    }

    @Test
    void aGrantRunsAtMostMcltPastTheLastDurableExpiryWhichIsThePotentialOne() throws Exception {
        try (LeaseTable t = table()) {
            Allocation.Bound first = (Allocation.Bound) t.commit(A, OURS, false, LEASE, null, T0);
            assertThat(first.grantedUntil()).isEqualTo(T0.plus(MCLT));
            assertThat(first.entry().expiresAt()).as("held and published: the potential expiry").isEqualTo(T0.plus(LEASE));
            assertThat(t.observe(first.entry().toLease(), T0.plusSeconds(1))).isEqualTo(LeaseTable.Observed.UNCHANGED);
            Allocation.Bound renewed = (Allocation.Bound) t.commit(A, OURS, false, LEASE, null, T0.plusSeconds(30));
            assertThat(renewed.grantedUntil()).isEqualTo(T0.plusSeconds(30).plus(LEASE));
        }
    }

    @Test
    void anotherClientsEndedAddressIsReusedOnlyAfterMcltWithACurrentViewEvenAfterAnOfferToItsOldHolder() throws Exception {
        try (LeaseTable t = table()) {
            t.commit(A, OURS, false, LEASE, null, T0);
            t.commit(C, OURS2, false, LEASE, null, T0.plusSeconds(300));
            Instant ended = T0.plus(LEASE);
            t.expire(ended);
            // A comes back, is offered its old address, and takes another server's offer instead
            assertThat(t.offer(A, Optional.empty(), Optional.empty(), ended, HOLD)).contains(OURS);
            t.cancelOffer(A);
            assertThat(t.offer(B, Optional.empty(), Optional.empty(), ended.plusSeconds(1), HOLD))
                    .as("A's address must not look never used").isEmpty();
            current = false;
            assertThat(t.offer(B, Optional.empty(), Optional.empty(), ended.plus(MCLT), HOLD)).as("view stale").isEmpty();
            current = true;
            assertThat(t.offer(B, Optional.empty(), Optional.empty(), ended.plus(MCLT), HOLD)).contains(OURS);
        }
    }

    @Test
    void recordsFromKafkaMergeAndAnotherClientOnAnActiveAddressIsAConflict() throws Exception {
        try (LeaseTable t = table()) {
            assertThat(t.observe(new Lease(THEIRS, B, T0.plus(LEASE), null), T0)).isEqualTo(LeaseTable.Observed.CHANGED);
            assertThat(t.bindingOf(B, T0)).map(LeaseEntry::ip).contains(THEIRS);
            assertThat(t.observe(new Lease(THEIRS, B, T0.plusSeconds(5), null), T0)).as("older").isEqualTo(LeaseTable.Observed.UNCHANGED);
            // extending another share's address for its holder: bounded by its durable expiry + MCLT
            Allocation.Bound ext = (Allocation.Bound) t.commit(B, THEIRS, false, LEASE, null, T0.plusSeconds(590));
            assertThat(ext.grantedUntil()).isEqualTo(T0.plus(LEASE).plus(MCLT));
            t.commit(A, OURS, false, LEASE, null, T0);
            assertThat(t.observe(new Lease(OURS, C, T0.plus(LEASE), null), T0.plusSeconds(1))).isEqualTo(LeaseTable.Observed.CONFLICT);
            assertThat(t.entry(OURS).orElseThrow().mac()).as("the own share keeps its binding").isEqualTo(A);
            assertThat(t.observeGone(OURS, T0.plusSeconds(2))).as("own share: a tombstone does not end our binding")
                    .isEqualTo(LeaseTable.Observed.UNCHANGED);
            assertThat(t.observeGone(THEIRS, T0.plusSeconds(2))).isEqualTo(LeaseTable.Observed.CHANGED);
        }
    }
}
