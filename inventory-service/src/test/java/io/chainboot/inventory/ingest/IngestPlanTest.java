package io.chainboot.inventory.ingest;

import io.chainboot.events.BootEvent;
import io.chainboot.events.BootStage;
import io.chainboot.events.BootStalled;
import io.chainboot.events.ClientKind;
import io.chainboot.events.DhcpEvents;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineEvents;
import io.chainboot.events.TftpEvents;
import io.chainboot.inventory.boot.Attempt;
import io.chainboot.inventory.boot.BootTracker;
import io.chainboot.inventory.boot.TrackedEvent;
import io.chainboot.inventory.ingest.IngestPlan.Applied;
import io.chainboot.inventory.ingest.IngestPlan.Correlated;
import io.chainboot.inventory.ingest.IngestPlan.FoldChoice;
import io.chainboot.inventory.ingest.IngestPlan.FoldPoint;
import io.chainboot.inventory.ingest.IngestPlan.Lease;
import io.chainboot.inventory.ingest.IngestPlan.MachineRow;
import io.chainboot.inventory.ingest.IngestPlan.Since;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.chainboot.inventory.Events.acked;
import static io.chainboot.inventory.Events.fullBoot;
import static io.chainboot.inventory.Events.offered;
import static io.chainboot.inventory.Events.tftp;
import static org.assertj.core.api.Assertions.assertThat;

/** The ingest decisions without PostgreSQL: what the store is told to read, insert, register and fold. */
class IngestPlanTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:00:00:01");
    static final MacAddress OTHER = MacAddress.parse("52:54:00:00:00:02");
    static final Ipv4Address IP = Ipv4Address.parse("10.0.0.10");
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    static final EventSource SELF = new EventSource("inventory-service", "test");
    static final EventSource TFTP = new EventSource("tftp-service", "t");

    /** A tftp.completed the tftp-service could only key by IP. */
    static TftpEvents.Completed byIp(Ipv4Address ip, Instant t) {
        return tftp(null, ip, t);
    }

    static Map<UUID, Long> allFresh(List<BootEvent> events) {
        Map<UUID, Long> fresh = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            fresh.put(events.get(i).id(), 100L + i);
        }
        return fresh;
    }

    // ---- correlate ---------------------------------------------------------------------------------

    @Test
    void onlyIpKeyedEventsNeedALeaseLookUp() {
        assertThat(IngestPlan.ipsToResolve(List.of(acked(MAC, IP, ClientKind.FIRMWARE, T0), byIp(IP, T0))))
                .containsExactly("10.0.0.10");
        assertThat(IngestPlan.ipsToResolve(List.of(acked(MAC, IP, ClientKind.FIRMWARE, T0)))).isEmpty();
    }

    @Test
    void repeatedIdsInABatchAreDuplicatesAndStoredLeasesGiveIpKeyedEventsTheirMac() {
        BootEvent ack = acked(MAC, IP, ClientKind.FIRMWARE, T0);
        BootEvent file = byIp(Ipv4Address.parse("10.0.0.20"), T0.plusSeconds(1));
        Correlated c = IngestPlan.correlate(List.of(ack, ack, file),
                Map.of("10.0.0.20", new Lease(OTHER.toString(), T0.minusSeconds(60))));
        assertThat(c.events()).containsExactly(ack, file);
        assertThat(c.macs()).containsExactly(MAC.toString(), OTHER.toString());
        assertThat(c.duplicates()).isEqualTo(1);
        assertThat(c.machines()).containsExactlyInAnyOrder(MAC.toString(), OTHER.toString());
    }

    @Test
    void theBatchsOwnAckLeasesItsIpToTheEventsAfterIt() {
        BootEvent before = byIp(IP, T0);
        BootEvent ack = acked(MAC, IP, ClientKind.FIRMWARE, T0.plusSeconds(1));
        BootEvent after = byIp(IP, T0.plusSeconds(2));
        Correlated c = IngestPlan.correlate(List.of(before, ack, after), Map.of());
        assertThat(c.macs()).containsExactly(null, MAC.toString(), MAC.toString());
        assertThat(c.machines()).containsExactly(MAC.toString());
        assertThat(c.leases()).containsEntry(IP.toString(), new Lease(MAC.toString(), T0.plusSeconds(1)));
    }

    @Test
    void aNewerStoredLeaseWinsOverAnOlderAckAndProxyRepliesLeaseNothing() {
        Lease newer = new Lease(OTHER.toString(), T0.plusSeconds(10));
        Correlated c = IngestPlan.correlate(List.of(acked(MAC, IP, ClientKind.FIRMWARE, T0), byIp(IP, T0.plusSeconds(11))),
                Map.of(IP.toString(), newer));
        assertThat(c.leases()).containsEntry(IP.toString(), newer);
        assertThat(c.macs().get(1)).isEqualTo(OTHER.toString());

        assertThat(IngestPlan.leasedIp(acked(MAC, null, ClientKind.FIRMWARE, T0))).isNull();
        assertThat(IngestPlan.leasedIp(acked(MAC, Ipv4Address.ANY, ClientKind.FIRMWARE, T0))).isNull();
        assertThat(IngestPlan.leasedIp(offered(MAC, IP, ClientKind.FIRMWARE, T0))).isEqualTo(IP);
        assertThat(IngestPlan.leasedIp(tftp(MAC, IP, T0))).as("only DHCP replies lease").isNull();
    }

    // ---- stall verdicts ----------------------------------------------------------------------------

    static Attempt attemptAt(UUID id, BootStage stage) {
        return new Attempt(id, T0, stage, T0, stage, null, null, Map.of(), 0);
    }

    static BootStalled verdict(UUID attempt, BootStage stage) {
        return new BootStalled(UUID.randomUUID(), T0.plusSeconds(120), SELF, MAC, IP, stage, T0, 60, attempt.toString());
    }

    @Test
    void aStallVerdictStandsOnlyWhileItsAttemptIsLatestAndStillAtThatStage() {
        UUID attempt = UUID.randomUUID();
        BootStalled standing = verdict(attempt, BootStage.SCRIPT);
        BootStalled overtaken = verdict(attempt, BootStage.PXE_DHCP);
        BootStalled otherAttempt = verdict(UUID.randomUUID(), BootStage.SCRIPT);
        BootStalled unknownMachine = new BootStalled(UUID.randomUUID(), T0, SELF, OTHER, IP, BootStage.SCRIPT, T0, 60,
                attempt.toString());
        Correlated batch = IngestPlan.correlate(List.of(standing, overtaken, otherAttempt, unknownMachine), Map.of());
        Map<String, FoldPoint> folded = Map.of(MAC.toString(), new FoldPoint(T0, attemptAt(attempt, BootStage.SCRIPT), true));

        Correlated kept = IngestPlan.standingVerdicts(batch, folded);
        assertThat(kept.events()).containsExactly(standing);
        assertThat(kept.macs()).containsExactly(MAC.toString());
        assertThat(kept.duplicates()).as("dropped verdicts count as duplicates").isEqualTo(3);
    }

    // ---- apply -------------------------------------------------------------------------------------

    @Test
    void aFirstSightRegistersTheMachineWithWhatItsDhcpSaid() {
        DhcpEvents.Offered offer = offered(MAC, IP, ClientKind.FIRMWARE, T0);
        BootEvent file = tftp(MAC, IP, T0.plusSeconds(1));
        Correlated batch = IngestPlan.correlate(List.of(offer, file), Map.of());
        Map<String, MachineRow> machines = new HashMap<>();
        Instant now = T0.plusSeconds(5);

        Applied a = IngestPlan.apply(batch, allFresh(batch.events()), machines, false, now, SELF);

        assertThat(a.stored()).containsExactly(offer, file);
        assertThat(a.firstSeen()).hasSize(1);
        IngestPlan.FirstSight first = a.firstSeen().get(0);
        assertThat(first.trigger()).isEqualTo(offer);
        assertThat(first.spec().mac()).isEqualTo(MAC);
        assertThat(first.spec().uuid()).isEqualTo(offer.uuid());
        MachineEvents.Registered r = first.registration();
        assertThat(r.mac()).isEqualTo(MAC);
        assertThat(r.time()).isEqualTo(offer.time());
        assertThat(r.source()).isEqualTo(SELF);
        assertThat(r.ip()).isEqualTo(IP);
        assertThat(r.uuid()).isEqualTo(offer.uuid());
        assertThat(r.arch()).isEqualTo(offer.arch());
        assertThat(r.vendorClass()).isEqualTo(offer.vendorClass());
        assertThat(a.announce()).as("the registration is announced, the consumed events are not").containsExactly(r);

        MachineRow row = machines.get(MAC.toString());
        assertThat(row.created).isTrue();
        assertThat(row.firstSeen).isEqualTo(T0);
        assertThat(row.lastSeen).isEqualTo(T0.plusSeconds(1));
        assertThat(row.updatedAt).isEqualTo(now);
        assertThat(row.lastIp).isEqualTo(IP.toString());
        assertThat(row.spec).contains("\"mac\":\"" + MAC + "\"");
        assertThat(a.leaseWrites()).containsExactly(Map.entry(IP.toString(), MAC.toString()));
        assertThat(a.touched()).containsExactly(Map.entry(MAC.toString(), new Since(T0, 100)));

        a.registered(Map.of(r.id(), 102L));
        assertThat(a.newer().get(MAC.toString())).extracting(TrackedEvent::event).containsExactly(offer, file, r);
    }

    @Test
    void aPlainDhcpClientIsStoredAndCorrelatedButNotRegisteredUntilItNetboots() {
        DhcpEvents.Offered phoneOffer = offered(OTHER, IP, ClientKind.OS, T0);
        DhcpEvents.Acked phoneAck = acked(OTHER, IP, ClientKind.OS, T0.plusMillis(5));
        BootEvent release = new DhcpEvents.Released(UUID.randomUUID(), T0.plusSeconds(1), SELF, MAC, IP);
        Correlated batch = IngestPlan.correlate(List.of(phoneOffer, phoneAck, release), Map.of());
        Map<String, MachineRow> machines = new HashMap<>();

        Applied a = IngestPlan.apply(batch, allFresh(batch.events()), machines, false, T0, SELF);

        assertThat(a.stored()).as("every event is stored").containsExactly(phoneOffer, phoneAck, release);
        assertThat(a.firstSeen()).as("none of them is a machine netbooting").isEmpty();
        assertThat(machines).isEmpty();
        assertThat(a.touched()).as("no boot attempt").isEmpty();
        assertThat(a.announce()).isEmpty();
        assertThat(a.leaseWrites()).as("its lease still correlates IP-keyed events")
                .containsExactly(Map.entry(IP.toString(), OTHER.toString()));

        // the same client's firmware PXE-boots later: that registers it
        DhcpEvents.Offered pxe = offered(OTHER, IP, ClientKind.FIRMWARE, T0.plusSeconds(60));
        Applied later = IngestPlan.apply(IngestPlan.correlate(List.of(pxe), Map.of()), allFresh(List.of(pxe)), machines,
                false, T0.plusSeconds(60), SELF);
        assertThat(later.firstSeen()).extracting(IngestPlan.FirstSight::trigger).containsExactly(pxe);

        // and once a machine, its OS's own DHCP (kind OS) is that machine's, as before
        DhcpEvents.Acked osAck = acked(OTHER, IP, ClientKind.OS, T0.plusSeconds(120));
        Applied os = IngestPlan.apply(IngestPlan.correlate(List.of(osAck), Map.of()), allFresh(List.of(osAck)), machines,
                false, T0.plusSeconds(120), SELF);
        assertThat(os.firstSeen()).isEmpty();
        assertThat(os.touched()).containsOnlyKeys(OTHER.toString());
    }

    @Test
    void aKnownMachineIsUpdatedAndOurOwnEchoNeitherChangesNorResurrectsOne() {
        MachineRow known = new MachineRow(MAC.toString(), false);
        known.uuid = "kept-uuid";
        known.firstSeen = T0;
        known.lastSeen = T0;
        Map<String, MachineRow> machines = new HashMap<>(Map.of(MAC.toString(), known));
        DhcpEvents.Offered early = offered(MAC, IP, ClientKind.FIRMWARE, T0.minusSeconds(30));
        BootEvent echoForGone = new MachineEvents.Updated(UUID.randomUUID(), T0, SELF, OTHER, null,
                io.chainboot.events.MachineSpec.discovered(OTHER, null, T0));
        Correlated batch = IngestPlan.correlate(List.of(early, echoForGone), Map.of());

        Applied a = IngestPlan.apply(batch, allFresh(batch.events()), machines, false, T0, SELF);

        assertThat(a.firstSeen()).isEmpty();
        assertThat(machines).containsOnlyKeys(MAC.toString());
        assertThat(known.changed).isTrue();
        assertThat(known.firstSeen).as("a late event moves first sight back").isEqualTo(T0.minusSeconds(30));
        assertThat(known.lastSeen).isEqualTo(T0);
        assertThat(known.uuid).as("a known uuid is not replaced").isEqualTo("kept-uuid");
        assertThat(known.arch).isEqualTo(early.arch());
        assertThat(known.vendorClass).isEqualTo(early.vendorClass());
    }

    @Test
    void eventsTheStoreAlreadyHadChangeNothingAndOurOwnNewOnesAreAnnounced() {
        UUID attempt = UUID.randomUUID();
        BootStalled v = verdict(attempt, BootStage.SCRIPT);
        BootEvent old = tftp(MAC, IP, T0);
        MachineRow known = new MachineRow(MAC.toString(), false);
        Correlated batch = IngestPlan.correlate(List.of(old, v), Map.of());

        Applied a = IngestPlan.apply(batch, Map.of(v.id(), 7L), new HashMap<>(Map.of(MAC.toString(), known)), true, T0, SELF);

        assertThat(a.stored()).containsExactly(v);
        assertThat(a.announce()).containsExactly(v);
        assertThat(a.newer().get(MAC.toString())).extracting(TrackedEvent::event).containsExactly(v);
        assertThat(known.lastIp).as("a verdict is ours: it does not change what was seen").isNull();
    }

    @Test
    void theEarliestNewEventOfAMachineIsWhereItsFoldChanges() {
        List<BootEvent> events = List.of(tftp(MAC, IP, T0.plusSeconds(5)), tftp(MAC, IP, T0.plusSeconds(2)));
        Correlated batch = IngestPlan.correlate(events, Map.of());
        Applied a = IngestPlan.apply(batch, allFresh(events), new HashMap<>(Map.of(MAC.toString(),
                new MachineRow(MAC.toString(), false))), false, T0, SELF);
        assertThat(a.touched()).containsExactly(Map.entry(MAC.toString(), new Since(T0.plusSeconds(2), 101)));
    }

    // ---- resume or re-fold -------------------------------------------------------------------------

    @Test
    void newEventsAfterTheFoldPointResumeAndEverythingElseIsRefolded() {
        List<BootEvent> boot = fullBoot(MAC, IP, T0, "sanboot");
        List<TrackedEvent> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            first.add(new TrackedEvent(boot.get(i), i));
        }
        Attempt latest = BootTracker.replay(first).get(0);
        Instant until = first.get(2).time();
        List<TrackedEvent> rest = new ArrayList<>();
        for (int i = 3; i < boot.size(); i++) {
            rest.add(new TrackedEvent(boot.get(i), i));
        }
        String resumes = MAC.toString();
        String late = "52:54:00:00:00:03";
        String correlated = "52:54:00:00:00:04";
        String oldRow = "52:54:00:00:00:05";
        String unread = "52:54:00:00:00:06";
        String firstSight = "52:54:00:00:00:07";
        Since after = new Since(rest.get(0).time(), 3);
        Map<String, Since> touched = new LinkedHashMap<>();
        touched.put(resumes, after);
        touched.put(late, new Since(until.minusSeconds(1), 9));
        touched.put(correlated, after);
        touched.put(oldRow, after);
        touched.put(unread, after);
        touched.put(firstSight, after);
        Map<String, FoldPoint> folded = Map.of(
                resumes, new FoldPoint(until, latest, true),
                late, new FoldPoint(until, latest, true),
                correlated, new FoldPoint(until, latest, true),
                oldRow, new FoldPoint(until, latest, false),
                firstSight, new FoldPoint(null, null, true));

        FoldChoice choice = IngestPlan.chooseFold(touched, Map.of(resumes, rest), folded, Set.of(correlated));

        assertThat(choice.resumed()).containsOnlyKeys(resumes, firstSight);
        assertThat(choice.resumed().get(resumes)).isEqualTo(BootTracker.replay(concat(first, rest)));
        assertThat(choice.resumed().get(resumes).get(0).stage()).isEqualTo(BootStage.OS_RUNNING);
        assertThat(choice.refold()).containsOnlyKeys(late, correlated, oldRow, unread);
        assertThat(choice.refold().get(late)).isEqualTo(new Since(until.minusSeconds(1), 9));
    }

    @Test
    void anEventAtTheLatestStoredTimeStillResumes() {
        Instant until = T0;
        Map<String, Since> touched = Map.of(MAC.toString(), new Since(until, 50));
        FoldChoice choice = IngestPlan.chooseFold(touched, Map.of(), Map.of(MAC.toString(), new FoldPoint(until, null, true)),
                Set.of());
        assertThat(choice.resumed()).containsOnlyKeys(MAC.toString());
        assertThat(choice.refold()).isEmpty();
    }

    static List<TrackedEvent> concat(List<TrackedEvent> a, List<TrackedEvent> b) {
        List<TrackedEvent> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
