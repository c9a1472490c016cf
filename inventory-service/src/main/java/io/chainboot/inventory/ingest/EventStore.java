package io.chainboot.inventory.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.chainboot.events.BootEvent;
import io.chainboot.events.BootStage;
import io.chainboot.events.BootStalled;
import io.chainboot.events.Decoded;
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
import io.chainboot.inventory.config.InventoryConfig;
import io.chainboot.inventory.machines.Outbox;
import io.chainboot.inventory.store.ArrayRows;
import io.chainboot.inventory.store.LeaseSeenEntity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.hibernate.Session;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
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
    /** Advisory-lock class of per-machine fold locks (the two-int key space is apart from the leader's bigint key). */
    private static final int MACHINE_LOCK_CLASS = 0x43420001;

    private final EntityManager em;
    private final Outbox outbox;
    private final EventSource self;
    /**
     * Recently stored events by id, decoded: a re-fold reads a machine's stored events again,
     * and decoding their JSON was the largest CPU cost of a batch. Events are immutable per id,
     * so a stale entry cannot exist; an entry of a rolled-back batch is only used if the event is
     * stored later (same id, same content).
     */
    private final DecodedCache decoded;
    private final Counter resumed;
    private final Counter refolded;

    public EventStore(EntityManager em, Outbox outbox, EventSource self, InventoryConfig config, MeterRegistry registry) {
        this.em = em;
        this.outbox = outbox;
        this.self = self;
        this.decoded = new DecodedCache(config.ingest().decodedCache());
        this.resumed = registry.counter("chainboot.inventory.fold.resumed");
        this.refolded = registry.counter("chainboot.inventory.fold.refolded");
    }

    /** Consumed events: whatever is new is stored and folded into machines and attempts. */
    @Transactional
    public IngestResult ingest(List<BootEvent> events) {
        return ingest(events, false);
    }

    /**
     * Stores the new events of a batch and folds them into machines and boot attempts, in one
     * transaction and a fixed number of statements per batch, not per event or machine:
     * <ol>
     * <li>the leases of the batch's IP-keyed events (only if there are any);
     * <li>a transaction lock on each of the batch's machines, then one read of their machine rows
     *     and where each one's fold stopped;
     * <li>one multi-row {@code INSERT … ON CONFLICT (id) DO NOTHING RETURNING id, seq}: only the
     *     returned events are new, and only they change state;
     * <li>the new events applied to the machines in memory; first sights registered (their
     *     {@code machine.registered} events inserted, their specs and those events written to the
     *     outbox, the machines inserted), the others updated — one statement each;
     * <li>the batch's leases, and the waiting IP-keyed events they correlate;
     * <li>one upsert of the touched machines' attempts. A machine whose new events all come after
     *     what it had (the usual case, and every machine seen for the first time) is folded from
     *     its stored latest attempt, with no read-back ({@link BootTracker#resume}); a late event,
     *     an event correlated by a lease, or an attempt stored before {@code normal_logins} existed
     *     re-folds the machine from the attempt that contains the earliest change ({@link #refold}).
     * </ol>
     * When {@code ours} (events inventory produced itself, i.e. {@code boot.stalled}), the new
     * ones also go to the outbox: state and announcement commit together; a stall verdict whose
     * attempt is no longer at that stage (already declared, or progressed) is dropped.
     */
    @Transactional
    public IngestResult ingest(List<BootEvent> events, boolean ours) {
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

        // 2. the batch's machines, locked until commit: their rows and where each one's fold stopped
        Set<String> batchMacs = new HashSet<>(macs);
        batchMacs.remove(null);
        lockMachines(batchMacs);
        Map<String, FoldPoint> folded = new HashMap<>();
        Map<String, Seen> machines = new HashMap<>();
        readMachines(batchMacs, folded, machines);
        if (ours) {
            // a stall verdict stands only while its attempt is still at that stage: a second
            // leader's verdict during a hand-over, or one that progress overtook, is dropped
            for (int i = unique.size() - 1; i >= 0; i--) {
                if (unique.get(i) instanceof BootStalled s && !stillStalled(s, folded.get(macs.get(i)))) {
                    LOG.debugf("%s: stall verdict for attempt %s at %s no longer applies, dropped", s.mac(), s.attemptId(),
                            s.stage());
                    unique.remove(i);
                    macs.remove(i);
                    duplicates++;
                }
            }
        }

        // 3. one insert for the batch; only the ids it returns are new
        Map<UUID, Long> fresh = insertEvents(unique, macs);
        duplicates += unique.size() - fresh.size();

        // 4. the new events applied in memory
        Map<String, Since> touched = new LinkedHashMap<>();
        Map<String, List<TrackedEvent>> newer = new HashMap<>();
        List<BootEvent> registrations = new ArrayList<>();
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
            decoded.put(e.id(), e);
            if (ours) {
                announce.add(e);
            }
            if (mac == null) {
                continue;
            }
            touch(touched, mac, new Since(TrackedEvent.storedTime(e), seq));
            newer.computeIfAbsent(mac, x -> new ArrayList<>()).add(new TrackedEvent(e, seq));
            BootEvent registered = seen(machines, mac, e, now, pending);
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
        writeMachines(machines.values());

        // 5. leases, and events that arrived before their lease (another partition) find their machine
        Set<String> correlated = new HashSet<>();
        if (!leaseWrites.isEmpty()) {
            writeLeases(leases, leaseWrites, touched, correlated);
        }

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

    private static boolean stillStalled(BootStalled s, FoldPoint point) {
        Attempt latest = point == null ? null : point.latest();
        return latest != null && latest.id().toString().equals(s.attemptId()) && latest.stage() == s.stage();
    }

    /**
     * What was seen of a machine, as the batch changes it: a row read (or, for a first sight,
     * created) here and written back in one statement — never a Hibernate entity, so a batch
     * has no dirty checking and never overwrites the spec the API owns.
     */
    private static final class Seen {
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

        Seen(String mac, boolean created) {
            this.mac = mac;
            this.created = created;
        }
    }

    private <T> T work(org.hibernate.jdbc.ReturningWork<T> work) {
        return em.unwrap(Session.class).doReturningWork(work);
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
        ArrayRows rows = new ArrayRows("text");
        macs.forEach(rows::add);
        work(c -> {
            rows.query(c, "select count(pg_advisory_xact_lock(" + MACHINE_LOCK_CLASS + ", k)) from "
                    + "(select distinct hashtext(m) k from unnest(?::text[]) m order by k) l", rs -> {
                    });
            return null;
        });
    }

    /**
     * Each machine's row (into {@code machines}, absent if none) and fold point (into
     * {@code folded}), read before the batch's events are stored: one statement.
     */
    private void readMachines(Set<String> macs, Map<String, FoldPoint> folded, Map<String, Seen> machines) {
        if (macs.isEmpty()) {
            return;
        }
        ArrayRows rows = new ArrayRows("text");
        macs.forEach(rows::add);
        work(c -> {
            rows.query(c, "select t.mac, (select max(e.time) from boot_event e where e.mac = t.mac), "
                    + "a.id, a.started_at, a.stage, a.stage_since, a.progress, a.reason, a.profile, a.reached, a.normal_logins, "
                    + "m.mac, m.uuid, m.arch, m.vendor_class, m.last_ip, m.first_seen, m.last_seen "
                    + "from unnest(?::text[]) t(mac) left join boot_attempt a on a.mac = t.mac and a.latest "
                    + "left join machine m on m.mac = t.mac", rs -> {
                String mac = rs.getString(1);
                Instant until = instantOrNull(rs, 2);
                UUID id = rs.getObject(3, UUID.class);
                Integer logins = (Integer) rs.getObject(11);
                Attempt latest = id == null ? null : new Attempt(id, instantOrNull(rs, 4), BootStage.valueOf(rs.getString(5)),
                        instantOrNull(rs, 6), BootStage.valueOf(rs.getString(7)), rs.getString(8), rs.getString(9),
                        readReached(rs.getString(10)), logins == null ? 0 : logins);
                folded.put(mac, new FoldPoint(until, latest, id == null || logins != null));
                if (rs.getString(12) != null) {
                    Seen m = new Seen(mac, false);
                    m.uuid = rs.getString(13);
                    m.arch = (Integer) rs.getObject(14);
                    m.vendorClass = rs.getString(15);
                    m.lastIp = rs.getString(16);
                    m.firstSeen = instantOrNull(rs, 17);
                    m.lastSeen = instantOrNull(rs, 18);
                    machines.put(mac, m);
                }
            });
            return null;
        });
    }

    private static Instant instantOrNull(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
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
        ArrayRows upserts = new ArrayRows("text", "text", "text");
        ArrayRows waiting = new ArrayRows("text", "text");
        writes.forEach((ip, mac) -> {
            Lease l = leases.get(ip);
            upserts.add(ip, l.mac, l.time);
            waiting.add(ip, mac);
        });
        work(c -> {
            upserts.update(c, "insert into lease_seen (ip, mac, time) select * from unnest(?::text[], ?::text[], "
                    + "?::timestamptz[]) on conflict (ip) do update set mac = excluded.mac, time = excluded.time "
                    + "where lease_seen.time <= excluded.time");
            waiting.query(c, "update boot_event e set mac = l.mac from unnest(?::text[], ?::text[]) l(ip, mac) "
                    + "where e.mac is null and e.ip = l.ip returning e.mac, e.time, e.seq", rs -> {
                touch(touched, rs.getString(1), new Since(instantOrNull(rs, 2), rs.getLong(3)));
                correlated.add(rs.getString(1));
            });
            return null;
        });
    }

    /**
     * The batch's machines in two statements: the new ones inserted (their final state: later
     * events of the batch already applied), the changed ones updated — only the columns of what
     * was seen. A registration burst (a lab powering on) used to cost one Hibernate INSERT per
     * machine, and every known machine a dirty-checked UPDATE of every column. No {@code ON
     * CONFLICT}: a machine created meanwhile by the API fails the batch, which is then stored
     * event by event.
     */
    private void writeMachines(Iterable<Seen> machines) {
        ArrayRows inserts = new ArrayRows("text", "text", "text", "integer", "text", "text", "text", "text", "text");
        ArrayRows updates = new ArrayRows("text", "text", "integer", "text", "text", "text", "text");
        for (Seen m : machines) {
            if (m.created) {
                inserts.add(m.mac, m.spec, m.uuid, m.arch, m.vendorClass, m.lastIp, m.firstSeen, m.lastSeen, m.updatedAt);
            } else if (m.changed) {
                updates.add(m.mac, m.uuid, m.arch, m.vendorClass, m.lastIp, m.firstSeen, m.lastSeen);
            }
        }
        work(c -> {
            if (!inserts.isEmpty()) {
                inserts.update(c, "insert into machine (mac, spec, uuid, arch, vendor_class, last_ip, origin, first_seen, "
                        + "last_seen, updated_at) select mac, spec, uuid, arch, vendor_class, last_ip, 'discovered', first_seen, "
                        + "last_seen, updated_at from unnest(?::text[], ?::text[], ?::text[], ?::integer[], ?::text[], ?::text[], "
                        + "?::timestamptz[], ?::timestamptz[], ?::timestamptz[]) m(mac, spec, uuid, arch, vendor_class, "
                        + "last_ip, first_seen, last_seen, updated_at)");
            }
            if (!updates.isEmpty()) {
                updates.update(c, "update machine m set uuid = u.uuid, arch = u.arch, vendor_class = u.vendor_class, "
                        + "last_ip = u.last_ip, first_seen = u.first_seen, last_seen = u.last_seen from unnest(?::text[], "
                        + "?::text[], ?::integer[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[]) "
                        + "u(mac, uuid, arch, vendor_class, last_ip, first_seen, last_seen) where m.mac = u.mac");
            }
            return null;
        });
    }

    /** One multi-row insert; returns the ids that were new, with their arrival sequence. */
    private Map<UUID, Long> insertEvents(List<BootEvent> events, List<String> macs) {
        Map<UUID, Long> fresh = new HashMap<>();
        if (events.isEmpty()) {
            return fresh;
        }
        ArrayRows rows = new ArrayRows("text", "text", "text", "text", "text", "text", "text");
        for (int i = 0; i < events.size(); i++) {
            BootEvent e = events.get(i);
            rows.add(e.id(), macs.get(i), e.ip(), e.type().wireName(), TrackedEvent.storedTime(e), e.source(),
                    new String(EventJson.encode(e), StandardCharsets.UTF_8));
        }
        // WITH ORDINALITY + ORDER BY: seq follows the batch's order (ties in event time keep arrival order)
        work(c -> {
            rows.query(c, "insert into boot_event (id, mac, ip, type, time, source, payload) "
                    + "select id, mac, ip, type, time, source, payload from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], "
                    + "?::timestamptz[], ?::text[], ?::text[]) with ordinality as b(id, mac, ip, type, time, source, payload, n) "
                    + "order by n on conflict (id) do nothing returning id, seq",
                    rs -> fresh.put(rs.getObject(1, UUID.class), rs.getLong(2)));
            return null;
        });
        return fresh;
    }

    /** Updates what was seen of a machine; registers it on first sight and returns the registration event. */
    private BootEvent seen(Map<String, Seen> machines, String mac, BootEvent e, Instant now, List<Outbox.Pending> pending) {
        Seen m = machines.get(mac);
        boolean own = e instanceof MachineEvents.Registered || e instanceof MachineEvents.Updated
                || e instanceof BootStalled;
        if (m == null) {
            if (own) {
                return null; // our own echo about a machine deleted since: do not resurrect it
            }
            MachineSpec spec = MachineSpec.discovered(MacAddress.parse(mac), uuidOf(e), now);
            m = new Seen(mac, true);
            m.firstSeen = e.time();
            m.lastSeen = e.time();
            m.updatedAt = now;
            m.uuid = spec.uuid();
            apply(m, e);
            m.spec = json(spec);
            machines.put(mac, m);
            pending.add(Outbox.Pending.machine(spec));
            LOG.infof("%s registered on first sight (%s from %s)", mac, e.type(), e.source());
            return new MachineEvents.Registered(UUID.randomUUID(), e.time(), self, spec.mac(), e.ip(), m.uuid, m.arch,
                    m.vendorClass, null);
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

    private static void apply(Seen m, BootEvent e) {
        if (e.ip() != null && !e.ip().isAny()) {
            m.lastIp = e.ip().toString();
        }
        if (e instanceof DhcpEvents.Offered o) {
            fill(m, o.uuid(), o.arch(), o.vendorClass());
        } else if (e instanceof DhcpEvents.Acked a) {
            fill(m, a.uuid(), a.arch(), a.vendorClass());
        }
    }

    private static void fill(Seen m, String uuid, Integer arch, String vendorClass) {
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
        ArrayRows rows = new ArrayRows(ATTEMPT_COLUMNS);
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
        if (!rows.isEmpty()) {
            work(c -> rows.update(c, "insert into boot_attempt (id, mac, started_at, stage, stage_since, progress, reason, "
                    + "profile, reached, boot_millis, latest, normal_logins) select * from unnest(?::uuid[], ?::text[], "
                    + "?::timestamptz[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[], "
                    + "?::bigint[], ?::boolean[], ?::integer[]) on conflict (id) do update set stage = excluded.stage, "
                    + "stage_since = excluded.stage_since, progress = excluded.progress, reason = excluded.reason, "
                    + "profile = excluded.profile, reached = excluded.reached, boot_millis = excluded.boot_millis, "
                    + "latest = excluded.latest, normal_logins = excluded.normal_logins"));
        }
    }

    /** Columns of an attempt row, in the order of {@link #addRows}. */
    private static final String[] ATTEMPT_COLUMNS = {"text", "text", "text", "text", "text", "text", "text", "text",
        "text", "bigint", "boolean", "integer"};

    /** One machine's attempts, oldest first: the last one is its latest. */
    private static void addRows(ArrayRows rows, String mac, List<Attempt> attempts) {
        for (int i = 0; i < attempts.size(); i++) {
            Attempt a = attempts.get(i);
            rows.add(a.id(), mac, a.startedAt(), a.stage().name(), a.stageSince(), a.progress().name(), a.reason(),
                    a.profile(), reachedJson(a.reached()), a.bootTime() == null ? null : a.bootTime().toMillis(),
                    i == attempts.size() - 1, a.normalLogins());
        }
    }

    /**
     * Re-folds each machine's timeline from the attempt that contains its earliest change: the
     * attempts from there on are deleted and recomputed from the stored events (into {@code rows}),
     * for all these machines at once — one query for the anchors, one for the events (their
     * payloads only when not in the decoded cache), one delete, one update.
     */
    private void refold(Map<String, Since> touched, ArrayRows rows) {
        ArrayRows since = new ArrayRows("text", "text", "bigint");
        touched.forEach((mac, s) -> since.add(mac, s.time(), s.seq()));
        Map<String, Since> anchors = new HashMap<>();
        Map<String, List<TrackedEvent>> byMac = new HashMap<>();
        work(c -> {
            // the anchor: the last attempt, in fold order, that started before the earliest change
            since.query(c, "select t.mac, x.started_at, x.seq from unnest(?::text[], ?::timestamptz[], ?::bigint[]) "
                    + "t(mac, since, since_seq) join lateral (select a.started_at, e.seq from boot_attempt a "
                    + "join boot_event e on e.id = a.id where a.mac = t.mac and (a.started_at, e.seq) < (t.since, t.since_seq) "
                    + "order by a.started_at desc, e.seq desc limit 1) x on true",
                    rs -> anchors.put(rs.getString(1), new Since(instantOrNull(rs, 2), rs.getLong(3))));
            ArrayRows from = new ArrayRows("text", "text", "bigint");
            for (String mac : touched.keySet()) {
                Since a = anchors.get(mac);
                from.add(mac, a == null ? null : a.time(), a == null ? null : a.seq());
            }
            // ids and order only; payloads are read (and decoded) only for events not in the cache
            List<String> rowMacs = new ArrayList<>();
            List<UUID> rowIds = new ArrayList<>();
            List<Long> rowSeqs = new ArrayList<>();
            ArrayRows missing = new ArrayRows("text");
            from.query(c, "select e.mac, e.id, e.seq from boot_event e join unnest(?::text[], ?::timestamptz[], ?::bigint[]) "
                    + "t(mac, anchor, anchor_seq) on e.mac = t.mac where t.anchor is null "
                    + "or (e.time, e.seq) >= (t.anchor, t.anchor_seq) order by e.mac, e.time, e.seq", rs -> {
                UUID id = rs.getObject(2, UUID.class);
                rowMacs.add(rs.getString(1));
                rowIds.add(id);
                rowSeqs.add(rs.getLong(3));
                if (decoded.get(id) == null) {
                    missing.add(id);
                }
            });
            Map<UUID, BootEvent> read = new HashMap<>();
            if (!missing.isEmpty()) {
                missing.query(c, "select id, payload from boot_event where id = any(?::uuid[])", rs -> {
                    Decoded<BootEvent> d = EventJson.decodeEvent(rs.getString(2).getBytes(StandardCharsets.UTF_8));
                    if (d instanceof Decoded.Valid<BootEvent> v) {
                        read.put(rs.getObject(1, UUID.class), v.value());
                        decoded.put(v.value().id(), v.value());
                    }
                });
            }
            for (int i = 0; i < rowIds.size(); i++) {
                BootEvent e = read.containsKey(rowIds.get(i)) ? read.get(rowIds.get(i)) : decoded.get(rowIds.get(i));
                if (e != null) {
                    byMac.computeIfAbsent(rowMacs.get(i), x -> new ArrayList<>()).add(new TrackedEvent(e, rowSeqs.get(i)));
                }
            }
            from.update(c, "delete from boot_attempt a using unnest(?::text[], ?::timestamptz[], ?::bigint[]) "
                    + "t(mac, anchor, anchor_seq) where a.mac = t.mac and (t.anchor is null or (a.started_at, "
                    + "(select e.seq from boot_event e where e.id = a.id)) >= (t.anchor, t.anchor_seq))");
            return null;
        });
        ArrayRows demote = new ArrayRows("text");
        for (String mac : touched.keySet()) {
            List<Attempt> attempts = BootTracker.replay(byMac.getOrDefault(mac, List.of()));
            if (anchors.containsKey(mac) && !attempts.isEmpty()) {
                demote.add(mac); // the attempts before the anchor are older than every replayed one
            }
            addRows(rows, mac, attempts);
        }
        if (!demote.isEmpty()) {
            work(c -> demote.update(c, "update boot_attempt set latest = false where latest and mac = any(?::text[])"));
        }
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
}
