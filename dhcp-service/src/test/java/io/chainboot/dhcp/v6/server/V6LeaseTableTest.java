package io.chainboot.dhcp.v6.server;

import io.chainboot.dhcp.server.Reply;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Inet6Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class V6LeaseTableTest {
    static final Instant T0 = Instant.parse("2026-12-03T06:00:00Z");
    static final byte[] A = {0, 3, 0, 1, 1, 2, 3, 4, 5, 6};
    static final byte[] B = {0, 3, 0, 1, 1, 2, 3, 4, 5, 7};
    static final byte[] C = {0, 3, 0, 1, 1, 2, 3, 4, 5, 8};
    static final Duration HOLD = Duration.ofSeconds(30);
    static final Duration LEASE = Duration.ofHours(1);

    static V6LeaseTable table(List<V6LeaseTable.Binding> restored) {
        return new V6LeaseTable(V6Pool.parse("fd77::100-fd77::101"), restored, T0);
    }

    @Test
    void anOfferIsHeldThenBoundAndTheSameClientKeepsItsAddress() {
        V6LeaseTable t = table(List.of());
        Inet6Address a = t.offer(A, 1, T0, HOLD).orElseThrow();
        assertThat(t.changed()).as("an offer is not persisted").isFalse();
        assertThat(t.bind(A, 1, T0.plusSeconds(1), LEASE)).contains(a);
        assertThat(t.changed()).isTrue();
        assertThat(t.offer(A, 1, T0.plusSeconds(2), HOLD)).contains(a);
        assertThat(t.offer(B, 1, T0.plusSeconds(2), HOLD)).isPresent().isNotEqualTo(Optional.of(a));
        assertThat(t.offer(A, 2, T0.plusSeconds(2), HOLD)).as("another IAID of A, pool of two used up").isEmpty();
    }

    @Test
    void expiredOffersAndLeasesAndReleasedOnesAreFreeAgain() {
        V6LeaseTable t = table(List.of());
        t.offer(A, 1, T0, HOLD).orElseThrow();
        t.bind(B, 1, T0, Duration.ofSeconds(60)).orElseThrow();
        assertThat(t.offer(C, 1, T0.plusSeconds(10), HOLD)).isEmpty();
        assertThat(t.offer(C, 1, T0.plusSeconds(31), HOLD)).as("A's hold ended").isPresent();
        assertThat(t.offer(A, 1, T0.plusSeconds(32), HOLD)).isEmpty();
        t.release(B, 1);
        assertThat(t.changed()).isTrue();
        assertThat(t.offer(A, 1, T0.plusSeconds(33), HOLD)).isPresent();
        assertThat(t.bound()).isEmpty();
    }

    @Test
    void boundLeasesSurviveTheFileAndOnlyUnexpiredOnesInThePoolAreRestored(@TempDir Path dir) throws Exception {
        V6LeaseTable t = table(List.of());
        Inet6Address a = t.bind(A, 7, T0, LEASE).orElseThrow();
        V6LeaseFile f = new V6LeaseFile(dir, false);
        f.write(t.bound());
        Files.writeString(dir.resolve(V6LeaseFile.FILE), Files.readString(dir.resolve(V6LeaseFile.FILE))
                + "garbage line\n" + "0003000101020304050a 1 fd99::1 " + T0.plusSeconds(999).getEpochSecond() + "\n"
                + "0003000101020304050b 1 fd77::101 " + T0.minusSeconds(1).getEpochSecond() + "\n");
        List<V6LeaseTable.Binding> read = f.read();
        assertThat(read).hasSize(3);
        V6LeaseTable restored = table(read);
        assertThat(restored.bound()).extracting(V6LeaseTable.Binding::address).containsExactly(a);
        assertThat(restored.offer(A, 7, T0.plusSeconds(5), HOLD)).contains(a);
        assertThat(restored.offer(B, 1, T0.plusSeconds(5), HOLD)).as("the expired fd77::101 is free").isPresent();
    }

    static final MacAddress MAC_A = MacAddress.parse("52:54:00:00:0a:01");

    @Test
    void aBoundLeaseWithAKnownMacGoesToTheLeasesTopicKeyedByItsAddressAndItsReleaseIsATombstone() {
        V6LeaseTable t = table(List.of());
        Inet6Address a = t.offer(A, 1, T0, HOLD).orElseThrow();
        assertThat(t.drainLeaseChanges()).as("an offer is not a lease").isEmpty();
        t.bind(A, 1, T0.plusSeconds(1), LEASE, MAC_A);
        Lease lease = Lease.ofIpv6(a, MAC_A, T0.plusSeconds(1).plus(LEASE));
        assertThat(t.drainLeaseChanges()).containsExactly(new Reply.LeaseChange.Put(lease));
        assertThat(t.drainLeaseChanges()).as("drained").isEmpty();
        assertThat(lease.key()).isEqualTo("fd77::100");

        t.bind(A, 1, T0.plusSeconds(60), LEASE, null);
        assertThat(t.drainLeaseChanges()).as("a renewal without a MAC keeps the one known")
                .containsExactly(new Reply.LeaseChange.Put(Lease.ofIpv6(a, MAC_A, T0.plusSeconds(60).plus(LEASE))));
        assertThat(t.leases()).extracting(Lease::mac).containsExactly(MAC_A);

        t.release(A, 1);
        assertThat(t.drainLeaseChanges()).containsExactly(new Reply.LeaseChange.RemoveIpv6(a));
        assertThat(t.leases()).isEmpty();
    }

    @Test
    void aClientWhoseMacIsUnknownPublishesNothingAndAnExpiredLeaseIsATombstone() {
        V6LeaseTable t = table(List.of());
        t.bind(B, 1, T0, LEASE).orElseThrow();
        assertThat(t.drainLeaseChanges()).as("no MAC: nothing to name the machine by").isEmpty();
        t.release(B, 1);
        assertThat(t.drainLeaseChanges()).isEmpty();

        Inet6Address a = t.bind(A, 1, T0, Duration.ofSeconds(60), MAC_A).orElseThrow();
        t.drainLeaseChanges();
        assertThat(t.offer(A, 1, T0.plusSeconds(61), HOLD)).isPresent();
        assertThat(t.drainLeaseChanges()).as("found expired on its next Solicit").containsExactly(new Reply.LeaseChange.RemoveIpv6(a));
    }

    @Test
    void theMacIsKeptInTheLeaseFileSoARestartRepublishesTheLease(@TempDir Path dir) throws Exception {
        V6LeaseTable t = table(List.of());
        Inet6Address a = t.bind(A, 7, T0, LEASE, MAC_A).orElseThrow();
        t.bind(B, 1, T0, LEASE).orElseThrow();
        V6LeaseFile f = new V6LeaseFile(dir, false);
        f.write(t.bound());
        assertThat(Files.readString(dir.resolve(V6LeaseFile.FILE))).contains(" 52:54:00:00:0a:01\n");
        V6LeaseTable restored = table(f.read());
        assertThat(restored.leases()).containsExactly(Lease.ofIpv6(a, MAC_A, T0.plus(LEASE)));
        assertThat(restored.bound()).hasSize(2);
        assertThat(V6LeaseFile.parse("0003000101020304050a 1 fd77::100 99 not-a-mac")).isNull();
    }

    @Test
    void poolsAreCheckedAndNamed() {
        assertThatThrownBy(() -> V6Pool.parse("fd77::1")).hasMessageContaining("chainboot.dhcp.v6.pool").hasMessageContaining("START-END");
        assertThatThrownBy(() -> V6Pool.parse("fd77::2-fd77::1")).hasMessageContaining("before the start");
        assertThatThrownBy(() -> V6Pool.parse("fd77::1-fd78::1")).hasMessageContaining("one /64");
        assertThatThrownBy(() -> V6Pool.parse("10.0.0.1-10.0.0.2")).hasMessageContaining("not an IPv6 address");
        assertThatThrownBy(() -> V6Pool.parse("fe80::1-fe80::9")).hasMessageContaining("link-local");
        assertThat(V6Pool.parse("fd77::ff-fd77::1fe").size()).isEqualTo(256);
        assertThat(V6Pool.parse("fd77::ff-fd77::1fe").toString()).isEqualTo("fd77::ff-fd77::1fe");
    }
}
