package io.chainboot.inventory.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.chainboot.events.BootEvent;
import io.chainboot.events.BootStage;
import io.chainboot.events.Decoded;
import io.chainboot.events.DhcpEvents;
import io.chainboot.events.EventJson;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineEvents;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.BootStalled;
import io.chainboot.inventory.boot.Attempt;
import io.chainboot.inventory.boot.BootTracker;
import io.chainboot.inventory.boot.TrackedEvent;
import io.chainboot.inventory.config.InventoryConfig;
import io.chainboot.inventory.machines.Outbox;
import io.chainboot.inventory.store.EventEntity;
import io.chainboot.inventory.store.LeaseSeenEntity;
import io.chainboot.inventory.store.MachineEntity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.hibernate.Session;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Stores boot events once and keeps machines and boot attempts in step with them, all in one
 * transaction per batch: the event insert is {@code ON CONFLICT (id) DO NOTHING}, so a replayed
 * or redelivered event changes nothing, and the consumer commits offsets only after this returns.
 */
@ApplicationScoped
public class EventStore {
    private static final Logger LOG = Logger.getLogger(EventStore.class);

    private final EntityManager em;
    private final Outbox outbox;
    private final EventSource self;
    /**
     * Recently stored events by id, decoded: the re-fold reads a machine's stored events again,
     * and decoding their JSON was the largest CPU cost of a batch. Events are immutable per id,
     * so a stale entry cannot exist; an entry of a rolled-back batch is only used if the event is
     * stored later (same id, same content).
     */
    private final DecodedCache decoded;

    private final Counter resumed;
    private final Counter refolded;

    public EventStore(EntityManager em, Outbox outbox, EventSource self, InventoryConfig config, MeterRegistry registry) {
        this.decoded = new DecodedCache(config.ingest().decodedCache());
        this.resumed = registry.counter("chainboot.inventory.fold.resumed");
        this.refolded = registry.counter("chainboot.inventory.fold.refolded");
        this.em = em;
        this.outbox = outbox;
        this.self = self;
    }

    /** Consumed events: whatever is new is stored and folded into machines and attempts. */
    @Transactional
    public IngestResult ingest(List<BootEvent> events) {
        return ingest(events, false);
    }

    /**
     * Stores the new events of a batch and folds them into machines and boot attempts, in one
     * transaction and a fixed number of statements per batch (not per event): lease lookups, a
     * transaction lock on each of the batch's machines and where each one's fold stopped, one
     * multi-row {@code INSERT … ON CONFLICT (id) DO NOTHING RETURNING id, seq}, one read of every
     * machine the batch touches, the registrations' insert, the lease upsert, then one upsert of
     * the attempts; machine rows are written back by Hibernate in JDBC batches at commit. Only
     * events new to the store change state. A machine whose new events all come after what it had
     * (the usual case, and every machine seen for the first time) is folded from its stored latest
     * attempt, with no read-back ({@link BootTracker#resume}); a late event, an event correlated by
     * a lease, or an attempt stored before {@code normal_logins} existed re-folds the machine from
     * the attempt that contains the earliest change ({@link #refold}). When {@code ours} (events
     * inventory produced itself, i.e. {@code boot.stalled}), the new ones also go to the outbox;
     * so do the {@code machine.registered} events produced here: state and announcement commit
     * together.
     */
    @Transactional
    public IngestResult ingest(List<BootEvent> events, boolean ours) {
        // no auto-flush before every query: every query below reads rows written by native
        // statements or flushed explicitly
        em.setFlushMode(jakarta.persistence.FlushModeType.COMMIT);
        Instant now = Instant.now();

        // 1. MACs: IP-keyed events are correlated through the latest lease, the batch's own included
        Map<String, Lease> leases = loadLeases(events);
        List<BootEvent> unique = new ArrayList<>(events.size());
        List<String> macs = new ArrayList<>(events.size());
        Set<UUID> ids = new HashSet<>();
        int duplicates = 0;
        for (BootEvent e : events) {
            if (!ids.add(e.id())) {
                duplicates++;
                continue;
            }
            String mac = e.mac() != null ? e.mac().toString() : leases.containsKey(ipOf(e)) ? leases.get(ipOf(e)).mac : null;
            unique.add(e);
            macs.add(mac);
            Ipv4Address leased = leasedIp(e);
            if (leased != null && mac != null) {
                leases.merge(leased.toString(), new Lease(mac, e.time()), (old, neu) -> old.time.isAfter(neu.time) ? old : neu);
            }
        }

        // 2. the batch's machines, locked until commit, and where each one's fold stopped
        Set<String> batchMacs = new HashSet<>(macs);
        batchMacs.remove(null);
        lockMachines(batchMacs);
        Map<String, FoldPoint> folded = foldPoints(batchMacs);

        // 3. one insert for the batch; only the ids it returns are new
        Map<UUID, Long> fresh = insertEvents(unique, macs);
        duplicates += unique.size() - fresh.size();

        for (BootEvent e : unique) {
            if (fresh.containsKey(e.id())) {
                decoded.put(e.id(), e);
            }
        }

        // 4. machines: one read, the new events applied in memory
        Map<String, Since> touched = new LinkedHashMap<>();
        Map<String, List<TrackedEvent>> newer = new HashMap<>();
        Set<String> seenMacs = new LinkedHashSet<>();
        for (int i = 0; i < unique.size(); i++) {
            if (macs.get(i) != null && fresh.containsKey(unique.get(i).id())) {
                seenMacs.add(macs.get(i));
            }
        }
        Map<String, MachineEntity> machines = new HashMap<>();
        if (!seenMacs.isEmpty()) {
            for (MachineEntity m : MachineEntity.<MachineEntity>list("mac in ?1", seenMacs)) {
                machines.put(m.mac, m);
            }
        }
        List<BootEvent> registrations = new ArrayList<>();
        List<MachineEntity> created = new ArrayList<>();
        List<Outbox.Pending> pending = new ArrayList<>();
        List<BootEvent> announce = new ArrayList<>();
        Map<String, String> leaseWrites = new LinkedHashMap<>();
        for (int i = 0; i < unique.size(); i++) {
            BootEvent e = unique.get(i);
            String mac = macs.get(i);
            Long seq = fresh.get(e.id());
            if (seq == null) {
                continue;
            }
            if (ours) {
                announce.add(e);
            }
            if (mac == null) {
                continue;
            }
            touch(touched, mac, new Since(TrackedEvent.storedTime(e), seq));
            newer.computeIfAbsent(mac, x -> new ArrayList<>()).add(new TrackedEvent(e, seq));
            BootEvent registered = seen(machines, mac, e, now, pending, created);
            if (registered != null) {
                registrations.add(registered); // at its trigger's time, stored after it: the trigger touches first
            }
            Ipv4Address leased = leasedIp(e);
            if (leased != null) {
                leaseWrites.put(leased.toString(), mac);
            }
        }
        if (!registrations.isEmpty()) {
            List<String> regMacs = new ArrayList<>(registrations.size());
            for (BootEvent r : registrations) {
                regMacs.add(r.mac().toString());
            }
            Map<UUID, Long> regSeqs = insertEvents(registrations, regMacs);
            for (BootEvent r : registrations) {
                decoded.put(r.id(), r);
                newer.get(r.mac().toString()).add(new TrackedEvent(r, regSeqs.get(r.id())));
            }
            announce.addAll(registrations);
        }
        for (BootEvent e : announce) {
            pending.add(Outbox.Pending.event(e));
        }
        outbox.appendAll(pending);
        insertMachines(created);

        // 5. leases, and events that arrived before their lease (another partition) find their machine
        Set<String> correlated = new HashSet<>();
        if (!leaseWrites.isEmpty()) {
            writeLeases(leases, leaseWrites, touched, correlated);
        }
        em.flush();

        // 6. the touched machines' attempts
        fold(touched, newer, folded, correlated);
        return new IngestResult(fresh.size() + registrations.size(), duplicates, new LinkedHashSet<>(touched.keySet()));
    }

    /**
     * Where a machine's fold stopped: the time of its latest stored event (null: none) and its
     * latest attempt (null: none yet). Events that all sort after {@code until} continue the fold
     * from {@code latest}; {@code resumable} is false for an attempt stored before its
     * {@code normal_logins} was kept.
     */
    private record FoldPoint(Instant until, Attempt latest, boolean resumable) {
    }

    /**
     * Transaction-scoped advisory locks on the machines, taken in one order (no deadlock between
     * batches): two consumers — partitions of IP-keyed events, or the leader's stall verdicts —
     * never fold one machine from the same stored state at once.
     */
    private void lockMachines(Set<String> macs) {
        if (macs.isEmpty()) {
            return;
        }
        String[] array = macs.toArray(new String[0]);
        em.unwrap(Session.class).doWork(c -> {
            try (PreparedStatement s = c.prepareStatement("select count(pg_advisory_xact_lock(" + MACHINE_LOCK_CLASS
                    + ", k)) from (select distinct hashtext(m) k from unnest(?::text[]) m order by k) l")) {
                s.setArray(1, c.createArrayOf("text", array));
                s.executeQuery().close();
            }
        });
    }

    /** Advisory-lock class of per-machine fold locks (the two-int key space is apart from the leader's bigint key). */
    private static final int MACHINE_LOCK_CLASS = 0x43420001;

    /** Each machine's fold point, read before the batch's events are stored: one statement. */
    private Map<String, FoldPoint> foldPoints(Set<String> macs) {
        Map<String, FoldPoint> out = new HashMap<>();
        if (macs.isEmpty()) {
            return out;
        }
        String[] array = macs.toArray(new String[0]);
        em.unwrap(Session.class).doWork(c -> {
            try (PreparedStatement s = c.prepareStatement("select t.mac, (select max(e.time) from boot_event e where e.mac = t.mac), "
                    + "a.id, a.started_at, a.stage, a.stage_since, a.progress, a.reason, a.profile, a.reached, a.normal_logins "
                    + "from unnest(?::text[]) t(mac) left join boot_attempt a on a.mac = t.mac and a.latest")) {
                s.setArray(1, c.createArrayOf("text", array));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        java.time.OffsetDateTime until = rs.getObject(2, java.time.OffsetDateTime.class);
                        UUID id = rs.getObject(3, UUID.class);
                        Integer logins = (Integer) rs.getObject(11);
                        Attempt latest = id == null ? null : new Attempt(id, instant(rs, 4), BootStage.valueOf(rs.getString(5)),
                                instant(rs, 6), BootStage.valueOf(rs.getString(7)), rs.getString(8), rs.getString(9),
                                readReached(rs.getString(10)), logins == null ? 0 : logins);
                        out.put(rs.getString(1), new FoldPoint(until == null ? null : until.toInstant(), latest,
                                id == null || logins != null));
                    }
                }
            }
        });
        return out;
    }

    private static Instant instant(ResultSet rs, int column) throws java.sql.SQLException {
        return rs.getObject(column, java.time.OffsetDateTime.class).toInstant();
    }

    /** The latest lease seen for an IP. */
    private record Lease(String mac, Instant time) {
    }

    private static String ipOf(BootEvent e) {
        return e.ip() == null ? null : e.ip().toString();
    }

    /** Leases of the IPs of the batch's IP-keyed events (one query, none when every event has its MAC). */
    private Map<String, Lease> loadLeases(List<BootEvent> events) {
        Set<String> ips = new HashSet<>();
        for (BootEvent e : events) {
            if (e.mac() == null && e.ip() != null) {
                ips.add(e.ip().toString());
            }
        }
        Map<String, Lease> out = new HashMap<>();
        if (!ips.isEmpty()) {
            for (LeaseSeenEntity l : LeaseSeenEntity.<LeaseSeenEntity>list("ip in ?1", ips)) {
                out.put(l.ip, new Lease(l.mac, l.time));
            }
        }
        return out;
    }

    /** A place in a machine's fold order: the earliest new or changed event of the batch. */
    private record Since(Instant time, long seq) {
        boolean isBefore(Since o) {
            int c = time.compareTo(o.time);
            return c < 0 || c == 0 && seq < o.seq;
        }
    }

    private static void touch(Map<String, Since> touched, String mac, Since since) {
        touched.merge(mac, since, (a, b) -> a.isBefore(b) ? a : b);
    }

    /** The IP a DHCP event hands to its MAC (full mode offers/acks only). */
    private static Ipv4Address leasedIp(BootEvent e) {
        Ipv4Address ip = null;
        if (e instanceof DhcpEvents.Acked a) {
            ip = a.ip();
        } else if (e instanceof DhcpEvents.Offered o) {
            ip = o.ip();
        }
        return ip == null || ip.isAny() ? null : ip;
    }

    /**
     * Upserts the batch's leases (a stored lease newer than the batch's wins) and gives the waiting
     * IP-keyed events of those IPs the MAC of the batch's (last) event leasing them; their times
     * join {@code touched} and their machines {@code correlated} (re-folded: those events are not
     * in the batch).
     */
    private void writeLeases(Map<String, Lease> leases, Map<String, String> writes, Map<String, Since> touched,
                             Set<String> correlated) {
        int n = writes.size();
        String[] ips = new String[n];
        String[] leaseMacs = new String[n];
        String[] times = new String[n];
        String[] macs = new String[n];
        int i = 0;
        for (Map.Entry<String, String> w : writes.entrySet()) {
            Lease l = leases.get(w.getKey());
            ips[i] = w.getKey();
            leaseMacs[i] = l.mac;
            times[i] = l.time.toString();
            macs[i] = w.getValue();
            i++;
        }
        em.unwrap(Session.class).doWork(c -> {
            try (PreparedStatement s = c.prepareStatement("insert into lease_seen (ip, mac, time) "
                    + "select * from unnest(?::text[], ?::text[], ?::timestamptz[]) "
                    + "on conflict (ip) do update set mac = excluded.mac, time = excluded.time "
                    + "where lease_seen.time <= excluded.time")) {
                s.setArray(1, c.createArrayOf("text", ips));
                s.setArray(2, c.createArrayOf("text", leaseMacs));
                s.setArray(3, c.createArrayOf("text", times));
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("update boot_event e set mac = l.mac "
                    + "from unnest(?::text[], ?::text[]) l(ip, mac) where e.mac is null and e.ip = l.ip returning e.mac, e.time, e.seq")) {
                s.setArray(1, c.createArrayOf("text", ips));
                s.setArray(2, c.createArrayOf("text", macs));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        touch(touched, rs.getString(1), new Since(instant(rs, 2), rs.getLong(3)));
                        correlated.add(rs.getString(1));
                    }
                }
            }
        });
    }

    /**
     * The batch's new machines in one multi-row insert (their final state: later events of the
     * batch already applied in memory). A registration burst — a lab powering on — used to cost
     * one Hibernate INSERT per machine. No {@code ON CONFLICT}: a machine created meanwhile by the
     * API fails the batch, which is then stored event by event, as before.
     */
    private void insertMachines(List<MachineEntity> created) {
        if (created.isEmpty()) {
            return;
        }
        int n = created.size();
        String[] mac = new String[n];
        String[] spec = new String[n];
        String[] uuid = new String[n];
        Integer[] arch = new Integer[n];
        String[] vendor = new String[n];
        String[] ip = new String[n];
        String[] origin = new String[n];
        String[] first = new String[n];
        String[] last = new String[n];
        String[] updated = new String[n];
        for (int i = 0; i < n; i++) {
            MachineEntity m = created.get(i);
            mac[i] = m.mac;
            spec[i] = m.spec;
            uuid[i] = m.uuid;
            arch[i] = m.arch;
            vendor[i] = m.vendorClass;
            ip[i] = m.lastIp;
            origin[i] = m.origin;
            first[i] = m.firstSeen.toString();
            last[i] = m.lastSeen.toString();
            updated[i] = m.updatedAt.toString();
        }
        em.unwrap(Session.class).doWork(c -> {
            try (PreparedStatement s = c.prepareStatement("insert into machine (mac, spec, uuid, arch, vendor_class, last_ip, "
                    + "origin, first_seen, last_seen, updated_at) select * from unnest(?::text[], ?::text[], ?::text[], "
                    + "?::integer[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[])")) {
                s.setArray(1, c.createArrayOf("text", mac));
                s.setArray(2, c.createArrayOf("text", spec));
                s.setArray(3, c.createArrayOf("text", uuid));
                s.setArray(4, c.createArrayOf("integer", arch));
                s.setArray(5, c.createArrayOf("text", vendor));
                s.setArray(6, c.createArrayOf("text", ip));
                s.setArray(7, c.createArrayOf("text", origin));
                s.setArray(8, c.createArrayOf("text", first));
                s.setArray(9, c.createArrayOf("text", last));
                s.setArray(10, c.createArrayOf("text", updated));
                s.executeUpdate();
            }
        });
    }

    /** One multi-row insert; returns the ids that were new, with their arrival sequence. */
    private Map<UUID, Long> insertEvents(List<BootEvent> events, List<String> macs) {
        Map<UUID, Long> fresh = new HashMap<>();
        if (events.isEmpty()) {
            return fresh;
        }
        int n = events.size();
        String[] ids = new String[n];
        String[] ips = new String[n];
        String[] types = new String[n];
        String[] times = new String[n];
        String[] sources = new String[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            BootEvent e = events.get(i);
            ids[i] = e.id().toString();
            ips[i] = e.ip() == null ? null : e.ip().toString();
            types[i] = e.type().wireName();
            times[i] = TrackedEvent.storedTime(e).toString();
            sources[i] = e.source().toString();
            payloads[i] = new String(EventJson.encode(e), StandardCharsets.UTF_8);
        }
        String[] macArray = macs.toArray(new String[0]);
        em.unwrap(Session.class).doWork(c -> {
            // WITH ORDINALITY + ORDER BY: seq follows the batch's order (ties in event time keep arrival order)
            try (PreparedStatement s = c.prepareStatement("insert into boot_event (id, mac, ip, type, time, source, payload) "
                    + "select id, mac, ip, type, time, source, payload from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], "
                    + "?::timestamptz[], ?::text[], ?::text[]) with ordinality as b(id, mac, ip, type, time, source, payload, n) "
                    + "order by n on conflict (id) do nothing returning id, seq")) {
                s.setArray(1, c.createArrayOf("text", ids));
                s.setArray(2, c.createArrayOf("text", macArray));
                s.setArray(3, c.createArrayOf("text", ips));
                s.setArray(4, c.createArrayOf("text", types));
                s.setArray(5, c.createArrayOf("text", times));
                s.setArray(6, c.createArrayOf("text", sources));
                s.setArray(7, c.createArrayOf("text", payloads));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        fresh.put(rs.getObject(1, UUID.class), rs.getLong(2));
                    }
                }
            }
        });
        return fresh;
    }

    /** Updates what was seen of a machine; registers it on first sight and returns the registration event. */
    private BootEvent seen(Map<String, MachineEntity> cache, String mac, BootEvent e, Instant now,
                           List<Outbox.Pending> pending, List<MachineEntity> created) {
        MachineEntity m = cache.get(mac);
        boolean own = e instanceof MachineEvents.Registered || e instanceof MachineEvents.Updated
                || e instanceof BootStalled;
        if (m == null) {
            if (own) {
                return null; // our own echo about a machine deleted since: do not resurrect it
            }
            MachineSpec spec = MachineSpec.discovered(MacAddress.parse(mac), uuidOf(e), now);
            m = new MachineEntity();
            m.mac = mac;
            m.origin = "discovered";
            m.firstSeen = e.time();
            m.lastSeen = e.time();
            m.updatedAt = now;
            m.uuid = spec.uuid();
            apply(m, e);
            m.spec = json(spec);
            created.add(m); // inserted in one statement by insertMachines, not managed by Hibernate
            cache.put(mac, m);
            pending.add(Outbox.Pending.machine(spec));
            LOG.infof("%s registered on first sight (%s from %s)", mac, e.type(), e.source());
            return new MachineEvents.Registered(UUID.randomUUID(), e.time(), self, spec.mac(), e.ip(), m.uuid, m.arch,
                    m.vendorClass, null);
        }
        if (m.lastSeen == null || e.time().isAfter(m.lastSeen)) {
            m.lastSeen = e.time();
        }
        if (e.time().isBefore(m.firstSeen)) {
            m.firstSeen = e.time();
        }
        if (!own) {
            apply(m, e);
        }
        return null;
    }

    private static void apply(MachineEntity m, BootEvent e) {
        if (e.ip() != null && !e.ip().isAny()) {
            m.lastIp = e.ip().toString();
        }
        if (e instanceof DhcpEvents.Offered o) {
            fill(m, o.uuid(), o.arch(), o.vendorClass());
        } else if (e instanceof DhcpEvents.Acked a) {
            fill(m, a.uuid(), a.arch(), a.vendorClass());
        }
    }

    private static void fill(MachineEntity m, String uuid, Integer arch, String vendorClass) {
        if (uuid != null && m.uuid == null) {
            m.uuid = uuid;
        }
        if (arch != null) {
            m.arch = arch;
        }
        if (vendorClass != null) {
            m.vendorClass = vendorClass;
        }
    }

    private static String uuidOf(BootEvent e) {
        if (e instanceof DhcpEvents.Offered o) {
            return o.uuid();
        }
        if (e instanceof DhcpEvents.Acked a) {
            return a.uuid();
        }
        return null;
    }

    /**
     * Brings the touched machines' attempts up to date and writes them in one upsert: a machine
     * whose new events all sort after its fold point resumes from its latest attempt; any other
     * is re-folded.
     */
    private void fold(Map<String, Since> touched, Map<String, List<TrackedEvent>> newer, Map<String, FoldPoint> folded,
                      Set<String> correlated) {
        List<Object[]> rows = new ArrayList<>();
        Map<String, Since> refold = new LinkedHashMap<>();
        for (Map.Entry<String, Since> t : touched.entrySet()) {
            String mac = t.getKey();
            FoldPoint point = folded.get(mac);
            // new events are stored after every stored one: at the latest stored time they still come after it
            if (point != null && point.resumable() && !correlated.contains(mac)
                    && (point.until() == null || !t.getValue().time().isBefore(point.until()))) {
                addRows(rows, mac, BootTracker.resume(point.latest(), newer.getOrDefault(mac, List.of())));
            } else {
                refold.put(mac, t.getValue());
            }
        }
        resumed.increment(touched.size() - refold.size());
        refolded.increment(refold.size());
        if (!refold.isEmpty()) {
            Set<String> unlocked = new HashSet<>(refold.keySet());
            unlocked.removeAll(folded.keySet());
            lockMachines(unlocked);
            refold(refold, rows);
        }
        upsertAttempts(rows);
    }

    /**
     * Re-folds each machine's timeline from the attempt that contains its earliest changed event
     * time: the attempts from there on are deleted and their rows recomputed from the stored
     * events (into {@code rows}) — for all these machines at once: one query for the anchors, one
     * for the events, one delete, one update.
     */
    private void refold(Map<String, Since> touched, List<Object[]> rows) {
        int n = touched.size();
        String[] macs = new String[n];
        String[] froms = new String[n];
        Long[] fromSeqs = new Long[n];
        int k = 0;
        for (Map.Entry<String, Since> t : touched.entrySet()) {
            macs[k] = t.getKey();
            froms[k] = t.getValue().time().toString();
            fromSeqs[k] = t.getValue().seq();
            k++;
        }
        Map<String, Since> anchors = new HashMap<>();
        Map<String, List<TrackedEvent>> byMac = new HashMap<>();
        List<String> demote = new ArrayList<>();
        em.unwrap(Session.class).doWork(c -> {
            // the anchor: the last attempt, in fold order, that started before the earliest change
            String[] anchorArray = new String[n];
            Long[] anchorSeqs = new Long[n];
            try (PreparedStatement s = c.prepareStatement("select t.mac, x.started_at, x.seq from unnest(?::text[], "
                    + "?::timestamptz[], ?::bigint[]) t(mac, since, since_seq) join lateral (select a.started_at, e.seq "
                    + "from boot_attempt a join boot_event e on e.id = a.id where a.mac = t.mac "
                    + "and (a.started_at, e.seq) < (t.since, t.since_seq) order by a.started_at desc, e.seq desc limit 1) x on true")) {
                s.setArray(1, c.createArrayOf("text", macs));
                s.setArray(2, c.createArrayOf("text", froms));
                s.setArray(3, c.createArrayOf("bigint", fromSeqs));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        anchors.put(rs.getString(1), new Since(instant(rs, 2), rs.getLong(3)));
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                Since a = anchors.get(macs[i]);
                anchorArray[i] = a == null ? null : a.time().toString();
                anchorSeqs[i] = a == null ? null : a.seq();
            }
            // ids and order only; payloads are read (and decoded) only for events not in the cache
            List<String> rowMacs = new ArrayList<>();
            List<UUID> rowIds = new ArrayList<>();
            List<Long> rowSeqs = new ArrayList<>();
            Set<UUID> missing = new HashSet<>();
            try (PreparedStatement s = c.prepareStatement("select e.mac, e.id, e.seq from boot_event e "
                    + "join unnest(?::text[], ?::timestamptz[], ?::bigint[]) t(mac, anchor, anchor_seq) on e.mac = t.mac "
                    + "where t.anchor is null or (e.time, e.seq) >= (t.anchor, t.anchor_seq) order by e.mac, e.time, e.seq")) {
                s.setArray(1, c.createArrayOf("text", macs));
                s.setArray(2, c.createArrayOf("text", anchorArray));
                s.setArray(3, c.createArrayOf("bigint", anchorSeqs));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        UUID id = rs.getObject(2, UUID.class);
                        rowMacs.add(rs.getString(1));
                        rowIds.add(id);
                        rowSeqs.add(rs.getLong(3));
                        if (decoded.get(id) == null) {
                            missing.add(id);
                        }
                    }
                }
            }
            Map<UUID, BootEvent> read = new HashMap<>();
            if (!missing.isEmpty()) {
                try (PreparedStatement s = c.prepareStatement("select id, payload from boot_event where id = any(?::uuid[])")) {
                    s.setArray(1, c.createArrayOf("text", missing.stream().map(UUID::toString).toArray(String[]::new)));
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            Decoded<BootEvent> d = EventJson.decodeEvent(rs.getString(2).getBytes(StandardCharsets.UTF_8));
                            if (d instanceof Decoded.Valid<BootEvent> v) {
                                read.put(rs.getObject(1, UUID.class), v.value());
                                decoded.put(v.value().id(), v.value());
                            }
                        }
                    }
                }
            }
            for (int i = 0; i < rowIds.size(); i++) {
                BootEvent e = read.containsKey(rowIds.get(i)) ? read.get(rowIds.get(i)) : decoded.get(rowIds.get(i));
                if (e != null) {
                    byMac.computeIfAbsent(rowMacs.get(i), x -> new ArrayList<>()).add(new TrackedEvent(e, rowSeqs.get(i)));
                }
            }
            try (PreparedStatement s = c.prepareStatement("delete from boot_attempt a using unnest(?::text[], ?::timestamptz[], "
                    + "?::bigint[]) t(mac, anchor, anchor_seq) where a.mac = t.mac and (t.anchor is null or (a.started_at, "
                    + "(select e.seq from boot_event e where e.id = a.id)) >= (t.anchor, t.anchor_seq))")) {
                s.setArray(1, c.createArrayOf("text", macs));
                s.setArray(2, c.createArrayOf("text", anchorArray));
                s.setArray(3, c.createArrayOf("bigint", anchorSeqs));
                s.executeUpdate();
            }
        });
        for (String mac : macs) {
            List<Attempt> attempts = BootTracker.replay(byMac.getOrDefault(mac, List.of()));
            if (anchors.containsKey(mac) && !attempts.isEmpty()) {
                demote.add(mac); // the attempts before the anchor are older than every replayed one
            }
            addRows(rows, mac, attempts);
        }
        if (!demote.isEmpty()) {
            em.unwrap(Session.class).doWork(c -> {
                try (PreparedStatement s = c.prepareStatement("update boot_attempt set latest = false where latest and mac = any(?::text[])")) {
                    s.setArray(1, c.createArrayOf("text", demote.toArray(new String[0])));
                    s.executeUpdate();
                }
            });
        }
    }

    /** One machine's attempts, oldest first, as rows of {@link #upsertAttempts}: the last one is its latest. */
    private static void addRows(List<Object[]> rows, String mac, List<Attempt> attempts) {
        for (int i = 0; i < attempts.size(); i++) {
            Attempt a = attempts.get(i);
            rows.add(new Object[] {a.id().toString(), mac, a.startedAt().toString(), a.stage().name(),
                a.stageSince().toString(), a.progress().name(), a.reason(), a.profile(), reachedJson(a.reached()),
                a.bootTime() == null ? null : a.bootTime().toMillis(), i == attempts.size() - 1, a.normalLogins()});
        }
    }

    private static final String[] ATTEMPT_COLUMN_TYPES = {"text", "text", "text", "text", "text", "text", "text", "text",
        "text", "bigint", "boolean", "integer"};

    /** Inserts or rewrites (same attempt id) the attempt rows in one statement. */
    private void upsertAttempts(List<Object[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int m = rows.size();
        Object[][] columns = new Object[ATTEMPT_COLUMN_TYPES.length][];
        for (int col = 0; col < columns.length; col++) {
            columns[col] = col == 9 ? new Long[m] : col == 10 ? new Boolean[m] : col == 11 ? new Integer[m] : new String[m];
            for (int r = 0; r < m; r++) {
                columns[col][r] = rows.get(r)[col];
            }
        }
        em.unwrap(Session.class).doWork(c -> {
            try (PreparedStatement s = c.prepareStatement("insert into boot_attempt (id, mac, started_at, stage, stage_since, "
                    + "progress, reason, profile, reached, boot_millis, latest, normal_logins) select * from unnest(?::uuid[], "
                    + "?::text[], ?::timestamptz[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[], "
                    + "?::bigint[], ?::boolean[], ?::integer[]) on conflict (id) do update set stage = excluded.stage, "
                    + "stage_since = excluded.stage_since, progress = excluded.progress, reason = excluded.reason, "
                    + "profile = excluded.profile, reached = excluded.reached, boot_millis = excluded.boot_millis, "
                    + "latest = excluded.latest, normal_logins = excluded.normal_logins")) {
                for (int col = 0; col < columns.length; col++) {
                    s.setArray(col + 1, c.createArrayOf(ATTEMPT_COLUMN_TYPES[col], columns[col]));
                }
                s.executeUpdate();
            }
        });
    }

    static Map<BootStage, Instant> readReached(String json) {
        Map<BootStage, Instant> out = new java.util.EnumMap<>(BootStage.class);
        try {
            Map<String, String> stored = EventJson.mapper().readValue(json, new com.fasterxml.jackson.core.type.TypeReference<>() {
            });
            stored.forEach((stage, time) -> out.put(BootStage.valueOf(stage), Instant.parse(time)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable reached stages " + json, e);
        }
        return out;
    }

    static String reachedJson(Map<BootStage, Instant> reached) {
        Map<String, String> m = new LinkedHashMap<>();
        reached.forEach((k, v) -> m.put(k.name(), v.toString()));
        try {
            return EventJson.mapper().writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String json(MachineSpec spec) {
        return new String(EventJson.encode(spec), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A trivial query in its own transaction: false while PostgreSQL is unreachable. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean databaseUp() {
        em.createNativeQuery("select 1").getSingleResult();
        return true;
    }

    /** A bounded, least-recently-used map of decoded events. */
    static final class DecodedCache {
        private final Map<UUID, BootEvent> map;

        DecodedCache(int capacity) {
            this.map = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<UUID, BootEvent> eldest) {
                    return size() > capacity;
                }
            };
        }

        synchronized BootEvent get(UUID id) {
            return map.get(id);
        }

        synchronized void put(UUID id, BootEvent e) {
            map.put(id, e);
        }
    }

    /** For logging: a set of MACs kept short. */
    static String brief(Set<String> macs) {
        return macs.size() <= 5 ? macs.toString() : macs.size() + " machines";
    }
}
