package io.chainboot.inventory.ingest;

import io.chainboot.events.BootEvent;
import io.chainboot.events.BootStalled;
import io.chainboot.events.ClientKind;
import io.chainboot.events.DhcpEvents;
import io.chainboot.events.EventJson;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineEvents;
import io.chainboot.events.MachineSpec;
import io.chainboot.inventory.boot.Attempt;
import io.chainboot.inventory.boot.BootTracker;
import io.chainboot.inventory.boot.TrackedEvent;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The decisions of one ingest batch, apart from PostgreSQL (as {@link BootTracker} is the fold's):
 * {@link EventStore} reads what they need, calls them in order and writes what they answer.
 * <ol>
 * <li>{@link #correlate}: de-duplication inside the batch, and each event's MAC — its own, or for an
 *     IP-keyed event the MAC of the latest lease of its IP, the batch's own DHCP leases included;</li>
 * <li>{@link #standingVerdicts}: inventory's own stall verdicts stand only while their attempt is
 *     still at that stage;</li>
 * <li>{@link #apply}: the events the store found new, applied to the machines' rows in memory, a
 *     machine seen for the first time registered (its {@code machine.registered} event and its
 *     discovered spec), and the leases the batch hands out;</li>
 * <li>{@link #chooseFold}: which touched machines resume their fold from their latest attempt
 *     ({@link BootTracker#resume}) and which are re-folded from the stored timeline.</li>
 * </ol>
 */
final class IngestPlan {
    private IngestPlan() {
    }

    /** The latest lease seen for an IP. */
    record Lease(String mac, Instant time) {
    }

    /**
     * Where a machine's fold stopped: the time of its latest stored event (null: none) and its
     * latest attempt (null: none yet). Events that all sort after {@code until} continue the fold
     * from {@code latest}; {@code resumable} is false for an attempt stored before its
     * {@code normal_logins} was kept.
     */
    record FoldPoint(Instant until, Attempt latest, boolean resumable) {
    }

    /** A place in a machine's fold order: the earliest new or changed event of the batch. */
    record Since(Instant time, long seq) {
        boolean isBefore(Since o) {
            int c = time.compareTo(o.time);
            return c < 0 || c == 0 && seq < o.seq;
        }
    }

    /**
     * What was seen of a machine, as the batch changes it: a row read (or, for a first sight,
     * created) by the store and written back in one statement — never a Hibernate entity, so a
     * batch has no dirty checking and never overwrites the spec the API owns.
     */
    static final class MachineRow {
        final String mac;
        final boolean created;
        String spec;
        String uuid;
        Integer arch;
        String vendorClass;
        String lastIp;
        Instant firstSeen;
        Instant lastSeen;
        Instant updatedAt;
        boolean changed;

        MachineRow(String mac, boolean created) {
            this.mac = mac;
            this.created = created;
        }
    }

    // ---- 1. de-duplication and MACs ---------------------------------------------------------------

    /** IPs whose stored lease the batch needs: those of its events without a MAC. */
    static Set<String> ipsToResolve(List<BootEvent> events) {
        Set<String> ips = new HashSet<>();
        for (BootEvent e : events) {
            if (e.mac() == null && e.ip() != null) {
                ips.add(e.ip().toString());
            }
        }
        return ips;
    }

    /**
     * The batch without repeated ids, each event with its MAC ({@code macs}, parallel; null when
     * neither the event nor a lease knows it), and the leases after the batch's own.
     */
    record Correlated(List<BootEvent> events, List<String> macs, int duplicates, Map<String, Lease> leases) {
        /** The batch's machines. */
        Set<String> machines() {
            Set<String> out = new HashSet<>(macs);
            out.remove(null);
            return out;
        }
    }

    /** Step 1, over {@code stored}: the stored leases of {@link #ipsToResolve}. */
    static Correlated correlate(List<BootEvent> events, Map<String, Lease> stored) {
        Map<String, Lease> leases = new HashMap<>(stored);
        List<BootEvent> unique = new ArrayList<>(events.size());
        List<String> macs = new ArrayList<>(events.size());
        Set<UUID> ids = new HashSet<>();
        int duplicates = 0;
        for (BootEvent e : events) {
            if (!ids.add(e.id())) {
                duplicates++;
                continue;
            }
            String ip = e.ip() == null ? null : e.ip().toString();
            String mac = e.mac() != null ? e.mac().toString() : leases.containsKey(ip) ? leases.get(ip).mac() : null;
            unique.add(e);
            macs.add(mac);
            Ipv4Address leased = leasedIp(e);
            if (leased != null && mac != null) {
                leases.merge(leased.toString(), new Lease(mac, e.time()), (old, neu) -> old.time().isAfter(neu.time()) ? old : neu);
            }
        }
        return new Correlated(unique, macs, duplicates, leases);
    }

    /** The IP a DHCP event hands to its MAC (full-mode offers and acks only). */
    static Ipv4Address leasedIp(BootEvent e) {
        return e instanceof DhcpEvents.Reply r ? r.leasedIp() : null;
    }

    // ---- 2. stall verdicts ------------------------------------------------------------------------

    /**
     * Step 2, for a batch of inventory's own events: a stall verdict stands only while its attempt
     * is still the machine's latest and at that stage — a second leader's verdict during a
     * hand-over, or one that progress overtook, is dropped (counted as a duplicate).
     */
    static Correlated standingVerdicts(Correlated batch, Map<String, FoldPoint> folded) {
        List<BootEvent> events = new ArrayList<>(batch.events().size());
        List<String> macs = new ArrayList<>(batch.events().size());
        int dropped = 0;
        for (int i = 0; i < batch.events().size(); i++) {
            BootEvent e = batch.events().get(i);
            if (e instanceof BootStalled s && !stillStalled(s, folded.get(batch.macs().get(i)))) {
                dropped++;
                continue;
            }
            events.add(e);
            macs.add(batch.macs().get(i));
        }
        return new Correlated(events, macs, batch.duplicates() + dropped, batch.leases());
    }

    static boolean stillStalled(BootStalled s, FoldPoint point) {
        Attempt latest = point == null ? null : point.latest();
        return latest != null && latest.id().toString().equals(s.attemptId()) && latest.stage() == s.stage();
    }

    // ---- 3. the new events applied ------------------------------------------------------------------

    /** A machine registered on first sight: the event that showed it, its discovered spec, its registration. */
    record FirstSight(BootEvent trigger, MachineSpec spec, MachineEvents.Registered registration) {
    }

    /**
     * What the batch's new events change.
     *
     * @param stored     the new events, in batch order
     * @param touched    per machine, the earliest place in its fold order the batch changes
     * @param newer      per machine, its new events (registrations added by {@link #registered})
     * @param firstSeen  machines registered by this batch, in order of first sight
     * @param announce   events for the outbox: the new ones when they are inventory's own
     * @param leaseWrites IP → MAC of the batch's (last) event leasing it
     */
    record Applied(List<BootEvent> stored, Map<String, Since> touched, Map<String, List<TrackedEvent>> newer,
                   List<FirstSight> firstSeen, List<BootEvent> announce, Map<String, String> leaseWrites) {

        List<BootEvent> registrations() {
            return firstSeen.stream().<BootEvent>map(FirstSight::registration).toList();
        }

        /** The registrations as stored (with their sequence): they join their machine's new events. */
        void registered(Map<UUID, Long> seqs) {
            for (FirstSight f : firstSeen) {
                BootEvent r = f.registration();
                newer.get(r.mac().toString()).add(new TrackedEvent(r, seqs.get(r.id())));
            }
        }
    }

    /**
     * Step 3: the events {@code fresh} names (id → arrival sequence, as the insert returned them)
     * applied to {@code machines} (the batch's machine rows, first sights added to it).
     */
    static Applied apply(Correlated batch, Map<UUID, Long> fresh, Map<String, MachineRow> machines, boolean ours,
                         Instant now, EventSource self) {
        List<BootEvent> stored = new ArrayList<>();
        Map<String, Since> touched = new LinkedHashMap<>();
        Map<String, List<TrackedEvent>> newer = new HashMap<>();
        List<FirstSight> firstSeen = new ArrayList<>();
        List<BootEvent> announce = new ArrayList<>();
        Map<String, String> leaseWrites = new LinkedHashMap<>();
        for (int i = 0; i < batch.events().size(); i++) {
            BootEvent e = batch.events().get(i);
            String mac = batch.macs().get(i);
            Long seq = fresh.get(e.id());
            if (seq == null) {
                continue;
            }
            stored.add(e);
            if (ours) {
                announce.add(e);
            }
            if (mac == null) {
                continue;
            }
            if (!machines.containsKey(mac) && !netboots(e)) {
                // a DHCP client never seen netbooting (a phone, a printer, a PC's own OS on a LAN we
                // serve in full mode): its events are stored and its lease correlates, but it is no
                // machine: not registered, no spec for every service's view, no boot attempt
                Ipv4Address leased = leasedIp(e);
                if (leased != null) {
                    leaseWrites.put(leased.toString(), mac);
                }
                continue;
            }
            touch(touched, mac, new Since(TrackedEvent.storedTime(e), seq));
            newer.computeIfAbsent(mac, x -> new ArrayList<>()).add(new TrackedEvent(e, seq));
            FirstSight first = seen(machines, mac, e, now, self);
            if (first != null) {
                firstSeen.add(first); // at its trigger's time, stored after it: the trigger touches first
            }
            Ipv4Address leased = leasedIp(e);
            if (leased != null) {
                leaseWrites.put(leased.toString(), mac);
            }
        }
        for (FirstSight f : firstSeen) {
            announce.add(f.registration());
        }
        return new Applied(stored, touched, newer, firstSeen, announce, leaseWrites);
    }

    static void touch(Map<String, Since> touched, String mac, Since since) {
        touched.merge(mac, since, (a, b) -> a.isBefore(b) ? a : b);
    }

    /**
     * Whether an event about an unknown MAC is a machine netbooting, which registers it: a DHCP
     * answer to a PXE/HTTP-boot firmware or to iPXE (or one from before client kinds were
     * recorded), or anything a boot service saw (a file, a script, a SAN login). A DHCP answer to a
     * plain DHCP client ({@link ClientKind#OS}), a NAK, a decline or a release is not.
     */
    static boolean netboots(BootEvent e) {
        if (e instanceof DhcpEvents.Reply r) {
            return r.client() != ClientKind.OS;
        }
        return !(e instanceof DhcpEvents.Nak || e instanceof DhcpEvents.Declined || e instanceof DhcpEvents.Released);
    }

    /** Updates what was seen of a machine; registers it on first sight. */
    static FirstSight seen(Map<String, MachineRow> machines, String mac, BootEvent e, Instant now, EventSource self) {
        MachineRow m = machines.get(mac);
        boolean own = e instanceof MachineEvents.Registered || e instanceof MachineEvents.Updated
                || e instanceof BootStalled;
        if (m == null) {
            if (own) {
                return null; // our own echo about a machine deleted since: do not resurrect it
            }
            DhcpEvents.Reply reply = e instanceof DhcpEvents.Reply r ? r : null;
            MachineSpec spec = MachineSpec.discovered(MacAddress.parse(mac), reply == null ? null : reply.uuid(), now);
            m = new MachineRow(mac, true);
            m.firstSeen = e.time();
            m.lastSeen = e.time();
            m.updatedAt = now;
            m.uuid = spec.uuid();
            apply(m, e);
            m.spec = new String(EventJson.encode(spec), StandardCharsets.UTF_8);
            machines.put(mac, m);
            return new FirstSight(e, spec, new MachineEvents.Registered(UUID.randomUUID(), e.time(), self, spec.mac(),
                    e.ip(), m.uuid, m.arch, m.vendorClass, null));
        }
        m.changed = true;
        if (m.lastSeen == null || e.time().isAfter(m.lastSeen)) {
            m.lastSeen = e.time();
        }
        if (m.firstSeen == null || e.time().isBefore(m.firstSeen)) {
            m.firstSeen = e.time();
        }
        if (!own) {
            apply(m, e);
        }
        return null;
    }

    private static void apply(MachineRow m, BootEvent e) {
        if (e.ip() != null && !e.ip().isAny()) {
            m.lastIp = e.ip().toString();
        }
        if (e instanceof DhcpEvents.Reply r) {
            if (r.uuid() != null && m.uuid == null) {
                m.uuid = r.uuid();
            }
            if (r.arch() != null) {
                m.arch = r.arch();
            }
            if (r.vendorClass() != null) {
                m.vendorClass = r.vendorClass();
            }
        }
    }

    // ---- 4. resume or re-fold ---------------------------------------------------------------------

    /**
     * Step 4: {@code resumed}, per machine, its attempts from its latest one on, folded from the new
     * events alone; {@code refold}, per machine, the earliest change to re-fold from.
     */
    record FoldChoice(Map<String, List<Attempt>> resumed, Map<String, Since> refold) {
    }

    /**
     * A machine resumes when its new events all sort after its fold point (the usual case, and every
     * machine seen for the first time), its latest attempt keeps {@code normal_logins}, and no lease
     * correlated older events to it; any other is re-folded.
     */
    static FoldChoice chooseFold(Map<String, Since> touched, Map<String, List<TrackedEvent>> newer,
                                 Map<String, FoldPoint> folded, Set<String> correlated) {
        Map<String, List<Attempt>> resumed = new LinkedHashMap<>();
        Map<String, Since> refold = new LinkedHashMap<>();
        for (Map.Entry<String, Since> t : touched.entrySet()) {
            String mac = t.getKey();
            FoldPoint point = folded.get(mac);
            // new events are stored after every stored one: at the latest stored time they still come after it
            if (point != null && point.resumable() && !correlated.contains(mac)
                    && (point.until() == null || !t.getValue().time().isBefore(point.until()))) {
                resumed.put(mac, BootTracker.resume(point.latest(), newer.getOrDefault(mac, List.of())));
            } else {
                refold.put(mac, t.getValue());
            }
        }
        return new FoldChoice(resumed, refold);
    }
}
