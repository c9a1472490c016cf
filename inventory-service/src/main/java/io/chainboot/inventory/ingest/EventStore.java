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
import io.chainboot.inventory.store.AttemptEntity;
import io.chainboot.inventory.store.EventEntity;
import io.chainboot.inventory.store.LeaseSeenEntity;
import io.chainboot.inventory.store.MachineEntity;
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

    public EventStore(EntityManager em, Outbox outbox, EventSource self, InventoryConfig config) {
        this.decoded = new DecodedCache(config.ingest().decodedCache());
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
     * transaction and a fixed number of statements per batch (not per event): lease lookups, one
     * multi-row {@code INSERT … ON CONFLICT (id) DO NOTHING RETURNING id}, one read of every
     * machine the batch touches, the registrations' insert, the lease upsert, then per batch the
     * attempt anchors, the events to re-fold, one delete and one insert of attempts; machine rows
     * are written back by Hibernate in JDBC batches at commit. Only events new to the store change
     * state. When {@code ours} (events inventory produced itself, i.e. {@code boot.stalled}), the
     * new ones also go to the outbox; so do the {@code machine.registered} events produced here:
     * state and announcement commit together.
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

        // 2. one insert for the batch; only the ids it returns are new
        Set<UUID> fresh = insertEvents(unique, macs);
        duplicates += unique.size() - fresh.size();

        for (BootEvent e : unique) {
            if (fresh.contains(e.id())) {
                decoded.put(e.id(), e);
            }
        }

        // 3. machines: one read, the new events applied in memory
        Map<String, Instant> touched = new LinkedHashMap<>();
        Set<String> seenMacs = new LinkedHashSet<>();
        for (int i = 0; i < unique.size(); i++) {
            if (macs.get(i) != null && fresh.contains(unique.get(i).id())) {
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
            if (!fresh.contains(e.id())) {
                continue;
            }
            if (ours) {
                announce.add(e);
            }
            if (mac == null) {
                continue;
            }
            touch(touched, mac, e.time());
            BootEvent registered = seen(machines, mac, e, now, pending, created);
            if (registered != null) {
                registrations.add(registered);
                touch(touched, mac, registered.time());
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
            insertEvents(registrations, regMacs);
            for (BootEvent r : registrations) {
                decoded.put(r.id(), r);
            }
            announce.addAll(registrations);
        }
        for (BootEvent e : announce) {
            pending.add(Outbox.Pending.event(e));
        }
        outbox.appendAll(pending);
        insertMachines(created);

        // 4. leases, and events that arrived before their lease (another partition) find their machine
        if (!leaseWrites.isEmpty()) {
            writeLeases(leases, leaseWrites, touched);
        }
        em.flush();

        // 5. re-fold the touched machines' timelines
        recompute(touched);
        return new IngestResult(fresh.size() + registrations.size(), duplicates, new LinkedHashSet<>(touched.keySet()));
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

    private static void touch(Map<String, Instant> touched, String mac, Instant time) {
        touched.merge(mac, time, (a, b) -> a.isBefore(b) ? a : b);
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
     * join {@code touched}.
     */
    private void writeLeases(Map<String, Lease> leases, Map<String, String> writes, Map<String, Instant> touched) {
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
                    + "from unnest(?::text[], ?::text[]) l(ip, mac) where e.mac is null and e.ip = l.ip returning e.mac, e.time")) {
                s.setArray(1, c.createArrayOf("text", ips));
                s.setArray(2, c.createArrayOf("text", macs));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        touch(touched, rs.getString(1), rs.getObject(2, java.time.OffsetDateTime.class).toInstant());
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

    /** One multi-row insert; returns the ids that were new. */
    private Set<UUID> insertEvents(List<BootEvent> events, List<String> macs) {
        Set<UUID> fresh = new HashSet<>();
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
            times[i] = e.time().toString();
            sources[i] = e.source().toString();
            payloads[i] = new String(EventJson.encode(e), StandardCharsets.UTF_8);
        }
        String[] macArray = macs.toArray(new String[0]);
        em.unwrap(Session.class).doWork(c -> {
            // WITH ORDINALITY + ORDER BY: seq follows the batch's order (ties in event time keep arrival order)
            try (PreparedStatement s = c.prepareStatement("insert into boot_event (id, mac, ip, type, time, source, payload) "
                    + "select id, mac, ip, type, time, source, payload from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], "
                    + "?::timestamptz[], ?::text[], ?::text[]) with ordinality as b(id, mac, ip, type, time, source, payload, n) "
                    + "order by n on conflict (id) do nothing returning id")) {
                s.setArray(1, c.createArrayOf("text", ids));
                s.setArray(2, c.createArrayOf("text", macArray));
                s.setArray(3, c.createArrayOf("text", ips));
                s.setArray(4, c.createArrayOf("text", types));
                s.setArray(5, c.createArrayOf("text", times));
                s.setArray(6, c.createArrayOf("text", sources));
                s.setArray(7, c.createArrayOf("text", payloads));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        fresh.add(rs.getObject(1, UUID.class));
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

    /** Re-folds one machine's timeline from the attempt that contains {@code from}. */
    void recompute(String mac, Instant from) {
        recompute(Map.of(mac, from));
    }

    /**
     * Re-folds each machine's timeline from the attempt that contains its earliest changed event
     * time and replaces the attempts from there on — for all the batch's machines at once: one
     * query for the anchors, one for the events, one delete, one update, one insert.
     */
    void recompute(Map<String, Instant> touched) {
        if (touched.isEmpty()) {
            return;
        }
        int n = touched.size();
        String[] macs = new String[n];
        String[] froms = new String[n];
        int k = 0;
        for (Map.Entry<String, Instant> t : touched.entrySet()) {
            macs[k] = t.getKey();
            froms[k] = t.getValue().toString();
            k++;
        }
        Map<String, Instant> anchors = new HashMap<>();
        Map<String, List<TrackedEvent>> byMac = new HashMap<>();
        List<AttemptEntity> rows = new ArrayList<>();
        List<String> demote = new ArrayList<>();
        em.unwrap(Session.class).doWork(c -> {
            String[] anchorArray = new String[n];
            try (PreparedStatement s = c.prepareStatement("select t.mac, (select max(a.started_at) from boot_attempt a "
                    + "where a.mac = t.mac and a.started_at <= t.since) from unnest(?::text[], ?::timestamptz[]) t(mac, since)")) {
                s.setArray(1, c.createArrayOf("text", macs));
                s.setArray(2, c.createArrayOf("text", froms));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        java.time.OffsetDateTime a = rs.getObject(2, java.time.OffsetDateTime.class);
                        if (a != null) {
                            anchors.put(rs.getString(1), a.toInstant());
                        }
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                Instant a = anchors.get(macs[i]);
                anchorArray[i] = a == null ? null : a.toString();
            }
            // ids and order only; payloads are read (and decoded) only for events not in the cache
            List<String> rowMacs = new ArrayList<>();
            List<UUID> rowIds = new ArrayList<>();
            List<Long> rowSeqs = new ArrayList<>();
            Set<UUID> missing = new HashSet<>();
            try (PreparedStatement s = c.prepareStatement("select e.mac, e.id, e.seq from boot_event e "
                    + "join unnest(?::text[], ?::timestamptz[]) t(mac, anchor) on e.mac = t.mac "
                    + "where t.anchor is null or e.time >= t.anchor order by e.mac, e.time, e.seq")) {
                s.setArray(1, c.createArrayOf("text", macs));
                s.setArray(2, c.createArrayOf("text", anchorArray));
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
            try (PreparedStatement s = c.prepareStatement("delete from boot_attempt a using unnest(?::text[], ?::timestamptz[]) "
                    + "t(mac, anchor) where a.mac = t.mac and (t.anchor is null or a.started_at >= t.anchor)")) {
                s.setArray(1, c.createArrayOf("text", macs));
                s.setArray(2, c.createArrayOf("text", anchorArray));
                s.executeUpdate();
            }
        });
        for (String mac : macs) {
            List<Attempt> attempts = BootTracker.replay(byMac.getOrDefault(mac, List.of()));
            if (anchors.containsKey(mac) && !attempts.isEmpty()) {
                demote.add(mac); // the attempts before the anchor are older than every replayed one
            }
            for (int i = 0; i < attempts.size(); i++) {
                Attempt a = attempts.get(i);
                AttemptEntity row = new AttemptEntity();
                row.id = a.id();
                row.mac = mac;
                row.startedAt = a.startedAt();
                row.stage = a.stage().name();
                row.stageSince = a.stageSince();
                row.progress = a.progress().name();
                row.reason = a.reason();
                row.profile = a.profile();
                row.reached = reachedJson(a.reached());
                row.bootMillis = a.bootTime() == null ? null : a.bootTime().toMillis();
                row.latest = i == attempts.size() - 1;
                rows.add(row);
            }
        }
        em.unwrap(Session.class).doWork(c -> {
            if (!demote.isEmpty()) {
                try (PreparedStatement s = c.prepareStatement("update boot_attempt set latest = false where latest and mac = any(?::text[])")) {
                    s.setArray(1, c.createArrayOf("text", demote.toArray(new String[0])));
                    s.executeUpdate();
                }
            }
            if (rows.isEmpty()) {
                return;
            }
            int m = rows.size();
            String[] id = new String[m];
            String[] mac = new String[m];
            String[] started = new String[m];
            String[] stage = new String[m];
            String[] since = new String[m];
            String[] progress = new String[m];
            String[] reason = new String[m];
            String[] profile = new String[m];
            String[] reached = new String[m];
            Long[] millis = new Long[m];
            Boolean[] latest = new Boolean[m];
            for (int i = 0; i < m; i++) {
                AttemptEntity r = rows.get(i);
                id[i] = r.id.toString();
                mac[i] = r.mac;
                started[i] = r.startedAt.toString();
                stage[i] = r.stage;
                since[i] = r.stageSince.toString();
                progress[i] = r.progress;
                reason[i] = r.reason;
                profile[i] = r.profile;
                reached[i] = r.reached;
                millis[i] = r.bootMillis;
                latest[i] = r.latest;
            }
            try (PreparedStatement s = c.prepareStatement("insert into boot_attempt (id, mac, started_at, stage, stage_since, "
                    + "progress, reason, profile, reached, boot_millis, latest) select * from unnest(?::uuid[], ?::text[], "
                    + "?::timestamptz[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::boolean[])")) {
                s.setArray(1, c.createArrayOf("text", id));
                s.setArray(2, c.createArrayOf("text", mac));
                s.setArray(3, c.createArrayOf("text", started));
                s.setArray(4, c.createArrayOf("text", stage));
                s.setArray(5, c.createArrayOf("text", since));
                s.setArray(6, c.createArrayOf("text", progress));
                s.setArray(7, c.createArrayOf("text", reason));
                s.setArray(8, c.createArrayOf("text", profile));
                s.setArray(9, c.createArrayOf("text", reached));
                s.setArray(10, c.createArrayOf("bigint", millis));
                s.setArray(11, c.createArrayOf("boolean", latest));
                s.executeUpdate();
            }
        });
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
