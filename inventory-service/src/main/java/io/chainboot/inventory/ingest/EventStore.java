package io.chainboot.inventory.ingest;

import io.chainboot.events.BootEvent;
import io.chainboot.events.BootStage;
import io.chainboot.events.Decoded;
import io.chainboot.events.EventJson;
import io.chainboot.events.EventSource;
import io.chainboot.inventory.boot.Attempt;
import io.chainboot.inventory.boot.BootTracker;
import io.chainboot.inventory.boot.TrackedEvent;
import io.chainboot.inventory.config.InventoryConfig;
import io.chainboot.inventory.ingest.IngestPlan.Applied;
import io.chainboot.inventory.ingest.IngestPlan.Correlated;
import io.chainboot.inventory.ingest.IngestPlan.FirstSight;
import io.chainboot.inventory.ingest.IngestPlan.FoldChoice;
import io.chainboot.inventory.ingest.IngestPlan.FoldPoint;
import io.chainboot.inventory.ingest.IngestPlan.Lease;
import io.chainboot.inventory.ingest.IngestPlan.MachineRow;
import io.chainboot.inventory.ingest.IngestPlan.Since;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Stores boot events once and keeps machines and boot attempts in step with them, all in one
 * transaction per batch: the event insert is {@code ON CONFLICT (id) DO NOTHING}, so a replayed
 * or redelivered event changes nothing, and the consumer commits offsets only after this returns.
 * The decisions are {@link IngestPlan}'s (pure, tested without a database); this class reads what
 * they need and writes what they answer, in a fixed number of statements per batch.
 */
@ApplicationScoped
public class EventStore {
    private static final Logger LOG = Logger.getLogger(EventStore.class);
    /** Advisory-lock class of per-machine fold locks (the two-int key space is apart from the leader's bigint key). */
    private static final int MACHINE_LOCK_CLASS = 0x43420001;

    private final EntityManager em;
    private final Outbox outbox;
    private final EventSource self;
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
     * <li>the leases of the batch's IP-keyed events (only if there are any), then
     *     {@link IngestPlan#correlate};
     * <li>a transaction lock on each of the batch's machines, then one read of their machine rows
     *     and where each one's fold stopped (for {@code ours}: {@link IngestPlan#standingVerdicts});
     * <li>one multi-row {@code INSERT … ON CONFLICT (id) DO NOTHING RETURNING id, seq}: only the
     *     returned events are new, and only they change state ({@link IngestPlan#apply});
     * <li>first sights registered (their {@code machine.registered} events inserted, their specs and
     *     those events written to the outbox, the machines inserted), the others updated — one
     *     statement each;
     * <li>the batch's leases, and the waiting IP-keyed events they correlate;
     * <li>one upsert of the touched machines' attempts: resumed from the stored latest attempt with
     *     no read-back, or re-folded from the attempt that contains the earliest change
     *     ({@link IngestPlan#chooseFold}, {@link #refold}).
     * </ol>
     * When {@code ours} (events inventory produced itself, i.e. {@code boot.stalled}), the new
     * ones also go to the outbox: state and announcement commit together.
     */
    @Transactional
    public IngestResult ingest(List<BootEvent> events, boolean ours) {
        return ingest(events, ours, Map.of());
    }

    /**
     * As {@link #ingest(List, boolean)}, with the JSON the events arrived as ({@code wire}, by event
     * id): it is stored as their payload as it is, instead of each event being encoded again (a
     * consumed event's encoding was a tenth of the inventory's CPU under DHCP load). An event
     * without an entry is encoded.
     */
    @Transactional
    public IngestResult ingest(List<BootEvent> events, boolean ours, Map<UUID, byte[]> wire) {
        Instant now = Instant.now();

        // 1. MACs: IP-keyed events are correlated through the latest lease, the batch's own included
        Correlated batch = IngestPlan.correlate(events, loadLeases(IngestPlan.ipsToResolve(events)));

        // 2. the batch's machines, locked until commit: their rows and where each one's fold stopped
        Set<String> batchMacs = batch.machines();
        lockMachines(batchMacs);
        Map<String, FoldPoint> folded = new HashMap<>();
        Map<String, MachineRow> machines = new HashMap<>();
        readMachines(batchMacs, folded, machines);
        if (ours) {
            int before = batch.events().size();
            batch = IngestPlan.standingVerdicts(batch, folded);
            if (batch.events().size() < before) {
                LOG.debugf("%d stall verdict(s) no longer applying (attempt moved on or already declared), dropped",
                        before - batch.events().size());
            }
        }

        // 3. one insert for the batch; only the ids it returns are new, and they are applied in memory
        Map<UUID, Long> fresh = insertEvents(batch.events(), batch.macs(), wire);
        int duplicates = batch.duplicates() + batch.events().size() - fresh.size();
        Applied applied = IngestPlan.apply(batch, fresh, machines, ours, now, self);
        applied.stored().forEach(e -> decoded.put(e.id(), e));

        // 4. registrations, the outbox and the machine rows
        List<BootEvent> registrations = applied.registrations();
        if (!registrations.isEmpty()) {
            List<String> regMacs = registrations.stream().map(r -> r.mac().toString()).toList();
            applied.registered(insertEvents(registrations, regMacs, Map.of()));
            registrations.forEach(r -> decoded.put(r.id(), r));
        }
        List<Outbox.Pending> pending = new ArrayList<>();
        List<String> registered = new ArrayList<>();
        for (FirstSight f : applied.firstSeen()) {
            registered.add(f.spec().mac() + " registered on first sight (" + f.trigger().type() + " from " + f.trigger().source() + ")");
            pending.add(Outbox.Pending.machine(f.spec()));
        }
        applied.announce().forEach(e -> pending.add(Outbox.Pending.event(e)));
        outbox.appendAll(pending);
        writeMachines(machines.values());

        // 5. leases, and events that arrived before their lease (another partition) find their machine
        Map<String, Since> touched = applied.touched();
        Set<String> correlated = new HashSet<>();
        if (!applied.leaseWrites().isEmpty()) {
            writeLeases(batch.leases(), applied.leaseWrites(), touched, correlated);
        }

        // 6. the touched machines' attempts
        fold(IngestPlan.chooseFold(touched, applied.newer(), folded, correlated), folded);
        return new IngestResult(fresh.size() + registrations.size(), duplicates, new LinkedHashSet<>(touched.keySet()),
                registered);
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
    private void readMachines(Set<String> macs, Map<String, FoldPoint> folded, Map<String, MachineRow> machines) {
        if (macs.isEmpty()) {
            return;
        }
        ArrayRows rows = new ArrayRows("text");
        macs.forEach(rows::add);
        work(c -> {
            rows.query(c, "select t.mac, (select max(e.time) from boot_event e where e.mac = t.mac), "
                    + "a.id, a.started_at, a.stage, a.stage_since, a.progress, a.reason, a.profile, a.reached, a.normal_logins, "
                    + "m.mac, m.uuid, m.arch, m.vendor_class, m.last_ip, m.first_seen, m.last_seen, a.handed_off "
                    + "from unnest(?::text[]) t(mac) left join boot_attempt a on a.mac = t.mac and a.latest "
                    + "left join machine m on m.mac = t.mac", rs -> {
                String mac = rs.getString(1);
                Instant until = instantOrNull(rs, 2);
                UUID id = rs.getObject(3, UUID.class);
                Integer logins = (Integer) rs.getObject(11);
                Attempt latest = id == null ? null : new Attempt(id, instantOrNull(rs, 4), BootStage.valueOf(rs.getString(5)),
                        instantOrNull(rs, 6), BootStage.valueOf(rs.getString(7)), rs.getString(8), rs.getString(9),
                        ReachedJson.read(rs.getString(10)), logins == null ? 0 : logins, Boolean.TRUE.equals(rs.getObject(19)));
                folded.put(mac, new FoldPoint(until, latest, id == null || logins != null));
                if (rs.getString(12) != null) {
                    MachineRow m = new MachineRow(mac, false);
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

    /** The stored leases of {@code ips} (no query when there are none). */
    private Map<String, Lease> loadLeases(Set<String> ips) {
        Map<String, Lease> out = new HashMap<>();
        if (!ips.isEmpty()) {
            for (LeaseSeenEntity l : LeaseSeenEntity.<LeaseSeenEntity>list("ip in ?1", ips)) {
                out.put(l.ip, new Lease(l.mac, l.time));
            }
        }
        return out;
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
            upserts.add(ip, l.mac(), l.time());
            waiting.add(ip, mac);
        });
        work(c -> {
            upserts.update(c, "insert into lease_seen (ip, mac, time) select * from unnest(?::text[], ?::text[], "
                    + "?::timestamptz[]) on conflict (ip) do update set mac = excluded.mac, time = excluded.time "
                    + "where lease_seen.time <= excluded.time");
            waiting.query(c, "update boot_event e set mac = l.mac from unnest(?::text[], ?::text[]) l(ip, mac) "
                    + "where e.mac is null and e.ip = l.ip returning e.mac, e.time, e.seq", rs -> {
                IngestPlan.touch(touched, rs.getString(1), new Since(instantOrNull(rs, 2), rs.getLong(3)));
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
    private void writeMachines(Iterable<MachineRow> machines) {
        ArrayRows inserts = new ArrayRows("text", "text", "text", "integer", "text", "text", "text", "text", "text");
        ArrayRows updates = new ArrayRows("text", "text", "integer", "text", "text", "text", "text");
        for (MachineRow m : machines) {
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

    /**
     * One multi-row insert; returns the ids that were new, with their arrival sequence. The payload
     * is the event's JSON as it arrived ({@code wire}) or, without one, the event encoded.
     */
    private Map<UUID, Long> insertEvents(List<BootEvent> events, List<String> macs, Map<UUID, byte[]> wire) {
        Map<UUID, Long> fresh = new HashMap<>();
        if (events.isEmpty()) {
            return fresh;
        }
        ArrayRows rows = new ArrayRows("text", "text", "text", "text", "text", "text", "text");
        for (int i = 0; i < events.size(); i++) {
            BootEvent e = events.get(i);
            byte[] json = wire.get(e.id());
            rows.add(e.id(), macs.get(i), e.ip(), e.type().wireName(), TrackedEvent.storedTime(e), e.source(),
                    new String(json != null ? json : EventJson.encode(e), StandardCharsets.UTF_8));
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

    /** Writes the resumed machines' attempts and re-folds the others, then upserts them all in one statement. */
    private void fold(FoldChoice choice, Map<String, FoldPoint> folded) {
        ArrayRows rows = new ArrayRows(ATTEMPT_COLUMNS);
        choice.resumed().forEach((mac, attempts) -> addRows(rows, mac, attempts));
        resumed.increment(choice.resumed().size());
        refolded.increment(choice.refold().size());
        if (!choice.refold().isEmpty()) {
            Set<String> unlocked = new HashSet<>(choice.refold().keySet());
            unlocked.removeAll(folded.keySet());
            lockMachines(unlocked);
            refold(choice.refold(), rows);
        }
        if (!rows.isEmpty()) {
            work(c -> rows.update(c, "insert into boot_attempt (id, mac, started_at, stage, stage_since, progress, reason, "
                    + "profile, reached, boot_millis, latest, normal_logins, handed_off) select * from unnest(?::uuid[], ?::text[], "
                    + "?::timestamptz[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[], "
                    + "?::bigint[], ?::boolean[], ?::integer[], ?::boolean[]) on conflict (id) do update set stage = excluded.stage, "
                    + "stage_since = excluded.stage_since, progress = excluded.progress, reason = excluded.reason, "
                    + "profile = excluded.profile, reached = excluded.reached, boot_millis = excluded.boot_millis, "
                    + "latest = excluded.latest, normal_logins = excluded.normal_logins, handed_off = excluded.handed_off"));
        }
    }

    /** Columns of an attempt row, in the order of {@link #addRows}. */
    private static final String[] ATTEMPT_COLUMNS = {"text", "text", "text", "text", "text", "text", "text", "text",
        "text", "bigint", "boolean", "integer", "boolean"};

    /** One machine's attempts, oldest first: the last one is its latest. */
    private static void addRows(ArrayRows rows, String mac, List<Attempt> attempts) {
        for (int i = 0; i < attempts.size(); i++) {
            Attempt a = attempts.get(i);
            rows.add(a.id(), mac, a.startedAt(), a.stage().name(), a.stageSince(), a.progress().name(), a.reason(),
                    a.profile(), ReachedJson.write(a.reached()), a.bootTime() == null ? null : a.bootTime().toMillis(),
                    i == attempts.size() - 1, a.normalLogins(), a.handedOff());
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

    /** A trivial query in its own transaction: false while PostgreSQL is unreachable. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean databaseUp() {
        em.createNativeQuery("select 1").getSingleResult();
        return true;
    }
}
