package io.chainboot.dhcp.lease;

import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class LeaseTableTest {
    static final Pool POOL = new Pool(Ipv4Address.parse("10.0.0.10"), Ipv4Address.parse("10.0.0.12"),
            Ipv4Address.parse("255.255.255.0"), Optional.empty(), List.of());
    static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration HOUR = Duration.ofHours(1);

    @TempDir
    Path dir;

    LeaseTable open() throws Exception {
        return new LeaseTable(POOL, dir, false, ip -> Optional.empty());
    }

    Ipv4Address bind(LeaseTable t, MacAddress mac, Instant now) {
        Ipv4Address ip = t.offer(mac, Optional.empty(), Optional.empty(), now, Duration.ofSeconds(30)).orElseThrow();
        assertThat(t.commit(mac, ip, false, HOUR, null, now)).isInstanceOf(Allocation.Bound.class);
        return ip;
    }

    @Test
    void boundLeasesSurviveAReopenAndAreNotOfferedToAnotherMachine() throws Exception {
        Ipv4Address a;
        try (LeaseTable t = open()) {
            a = bind(t, A, T0);
        }
        try (LeaseTable t = open()) {
            assertThat(t.bindingOf(A, T0.plusSeconds(60))).map(LeaseEntry::ip).contains(a);
            Ipv4Address b = bind(t, B, T0.plusSeconds(60));
            assertThat(b).isNotEqualTo(a);
            assertThat(t.commit(B, a, false, HOUR, null, T0.plusSeconds(60))).isInstanceOf(Allocation.Refused.class);
        }
        assertThat(Files.readString(dir.resolve(LeaseJournal.FILE))).contains(a + " " + A);
    }

    @Test
    void declinedAddressesStayQuarantinedAcrossARestart() throws Exception {
        Ipv4Address a;
        try (LeaseTable t = open()) {
            a = bind(t, A, T0);
            assertThat(t.decline(A, a, Duration.ofMinutes(10), T0)).isPresent();
        }
        try (LeaseTable t = open()) {
            assertThat(t.commit(B, a, false, HOUR, null, T0.plusSeconds(60))).isInstanceOf(Allocation.Refused.class);
            assertThat(t.offer(B, Optional.empty(), Optional.of(a), T0.plusSeconds(60), Duration.ofSeconds(30))).isNotEqualTo(Optional.of(a));
            // after the quarantine the address is usable again
            assertThat(t.commit(B, a, false, HOUR, null, T0.plus(Duration.ofMinutes(11)))).isInstanceOf(Allocation.Bound.class);
        }
    }

    @Test
    void expiryEndsLeasesAndTheSameClientGetsItsAddressBack() throws Exception {
        try (LeaseTable t = open()) {
            Ipv4Address a = bind(t, A, T0);
            assertThat(t.expire(T0.plus(HOUR).plusSeconds(1))).extracting(l -> l.ip()).containsExactly(a);
            assertThat(t.bindingOf(A, T0.plus(HOUR).plusSeconds(2))).isEmpty();
            assertThat(t.offer(A, Optional.empty(), Optional.empty(), T0.plus(Duration.ofHours(2)), Duration.ofSeconds(30)))
                    .contains(a);
        }
    }

    @Test
    void expiryFindsEntriesAddedAfterAScanThatExpireBeforeWhatTheScanSaw() throws Exception {
        try (LeaseTable t = open()) {
            Ipv4Address a = bind(t, A, T0);
            assertThat(t.expire(T0.plusSeconds(1))).isEmpty(); // the scan: nothing before T0 + 1 h
            Ipv4Address held = t.offer(B, Optional.empty(), Optional.empty(), T0.plusSeconds(2), Duration.ofSeconds(30)).orElseThrow();
            assertThat(t.expire(T0.plusSeconds(20))).isEmpty();
            assertThat(t.entry(held)).isPresent();
            assertThat(t.expire(T0.plusSeconds(33))).isEmpty(); // an offer hold ends silently...
            assertThat(t.entry(held)).as("the hold made after the scan is dropped at its time").isEmpty();
            // ...and a lease shorter than the one the last scan saw still ends at its own time
            Ipv4Address b = t.offer(B, Optional.empty(), Optional.empty(), T0.plusSeconds(40), Duration.ofSeconds(30)).orElseThrow();
            assertThat(t.commit(B, b, false, Duration.ofSeconds(60), null, T0.plusSeconds(40))).isInstanceOf(Allocation.Bound.class);
            assertThat(t.expire(T0.plusSeconds(99))).isEmpty();
            assertThat(t.expire(T0.plusSeconds(101))).extracting(l -> l.ip()).containsExactly(b);
            assertThat(t.expire(T0.plus(HOUR).plusSeconds(1))).extracting(l -> l.ip()).containsExactly(a);
            assertThat(t.activeCount(T0.plus(HOUR).plusSeconds(2))).isZero();
        }
    }

    @Test
    void releaseFreesTheAddressAndAnOfferHoldExpires() throws Exception {
        try (LeaseTable t = open()) {
            Ipv4Address a = bind(t, A, T0);
            assertThat(t.release(B, a, T0)).isEmpty(); // not B's to release
            assertThat(t.release(A, a, T0)).isPresent();
            Ipv4Address held = t.offer(B, Optional.empty(), Optional.empty(), T0, Duration.ofSeconds(30)).orElseThrow();
            assertThat(t.commit(A, held, false, HOUR, null, T0.plusSeconds(5))).isInstanceOf(Allocation.Refused.class);
            assertThat(t.commit(A, held, false, HOUR, null, T0.plusSeconds(31))).isInstanceOf(Allocation.Bound.class);
        }
    }

    @Test
    void aTornLastLineIsSkipped() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(LeaseJournal.FILE), "10.0.0.10 02:00:00:00:00:0a " + T0.plus(HOUR).getEpochSecond()
                + " BOUND pc1\n10.0.0.11 02:00:00:0");
        try (LeaseTable t = open()) {
            assertThat(t.bindingOf(A, T0)).map(LeaseEntry::hostname).contains("pc1");
            assertThat(t.entry(Ipv4Address.parse("10.0.0.11"))).isEmpty();
        }
    }
}
