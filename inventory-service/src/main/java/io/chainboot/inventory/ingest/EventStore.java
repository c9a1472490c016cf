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
import io.chainboot.inventory.machines.Outbox;
import io.chainboot.inventory.store.AttemptEntity;
import io.chainboot.inventory.store.EventEntity;
import io.chainboot.inventory.store.LeaseSeenEntity;
import io.chainboot.inventory.store.MachineEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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

    public EventStore(EntityManager em, Outbox outbox, EventSource self) {
        this.em = em;
        this.outbox = outbox;
        this.self = self;
    }

    @Transactional
    public IngestResult ingest(List<BootEvent> events) {
        // no auto-flush before every query: with hundreds of machines per batch, dirty-checking the
        // whole persistence context before each query made a batch quadratic; every query below
        // reads rows written by native statements or flushed explicitly
        em.setFlushMode(jakarta.persistence.FlushModeType.COMMIT);
        Map<String, Instant> touched = new LinkedHashMap<>();
        Map<String, MachineEntity> machines = new HashMap<>();
        List<BootEvent> toPublish = new ArrayList<>();
        int stored = 0;
        int duplicates = 0;
        Instant now = Instant.now();
        List<BootEvent> queue = new ArrayList<>(events);
        for (int i = 0; i < queue.size(); i++) {
            BootEvent e = queue.get(i);
            String mac = e.mac() != null ? e.mac().toString() : correlate(e.ip());
            if (!insertEvent(e, mac)) {
                duplicates++;
                continue;
            }
            stored++;
            if (mac != null) {
                touch(touched, mac, e.time());
                BootEvent registered = seen(machines, mac, e, now);
                if (registered != null) {
                    queue.add(registered);
                    toPublish.add(registered);
                }
            }
            Ipv4Address leased = leasedIp(e);
            if (leased != null && mac != null) {
                recordLease(leased.toString(), mac, e.time(), touched);
            }
        }
        em.flush();
        for (Map.Entry<String, Instant> t : touched.entrySet()) {
            recompute(t.getKey(), t.getValue());
        }
        return new IngestResult(stored, duplicates, new LinkedHashSet<>(touched.keySet()), toPublish);
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

    /** The MAC of the latest lease seen for {@code ip}, or null: the event waits uncorrelated. */
    private String correlate(Ipv4Address ip) {
        if (ip == null) {
            return null;
        }
        LeaseSeenEntity lease = LeaseSeenEntity.findById(ip.toString());
        return lease == null ? null : lease.mac;
    }

    private void recordLease(String ip, String mac, Instant time, Map<String, Instant> touched) {
        LeaseSeenEntity lease = LeaseSeenEntity.findById(ip);
        if (lease == null) {
            lease = new LeaseSeenEntity();
            lease.ip = ip;
            lease.mac = mac;
            lease.time = time;
            lease.persist();
        } else if (!lease.time.isAfter(time)) {
            lease.mac = mac;
            lease.time = time;
        }
        // events that arrived before the lease (another partition) now find their machine
        @SuppressWarnings("unchecked")
        List<Object> times = em.createNativeQuery(
                        "update boot_event set mac = ?1 where mac is null and ip = ?2 returning time")
                .setParameter(1, mac).setParameter(2, ip).getResultList();
        for (Object t : times) {
            Instant when = t instanceof Instant i ? i
                    : t instanceof java.sql.Timestamp ts ? ts.toInstant() : ((java.time.OffsetDateTime) t).toInstant();
            touch(touched, mac, when);
        }
    }

    /** Stores the event unless its id is known; true when it is new. */
    private boolean insertEvent(BootEvent e, String mac) {
        int rows = em.createNativeQuery("insert into boot_event (id, mac, ip, type, time, source, payload) "
                        + "values (?1, ?2, ?3, ?4, ?5, ?6, ?7) on conflict (id) do nothing")
                .setParameter(1, e.id())
                .setParameter(2, mac)
                .setParameter(3, e.ip() == null ? null : e.ip().toString())
                .setParameter(4, e.type().wireName())
                .setParameter(5, e.time())
                .setParameter(6, e.source().toString())
                .setParameter(7, new String(EventJson.encode(e), java.nio.charset.StandardCharsets.UTF_8))
                .executeUpdate();
        return rows == 1;
    }

    /** Updates what was seen of a machine; registers it on first sight and returns the registration event. */
    private BootEvent seen(Map<String, MachineEntity> cache, String mac, BootEvent e, Instant now) {
        MachineEntity m = cache.computeIfAbsent(mac, k -> MachineEntity.findById(k));
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
            m.persist();
            cache.put(mac, m);
            outbox.machineChanged(spec);
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
     * Re-folds the machine's timeline from the attempt that contains {@code from} (the earliest
     * event time that changed) and replaces the attempts from there on.
     */
    void recompute(String mac, Instant from) {
        Instant anchor = em.createQuery("select max(a.startedAt) from AttemptEntity a where a.mac = ?1 and a.startedAt <= ?2",
                Instant.class).setParameter(1, mac).setParameter(2, from).getSingleResult();
        List<Object[]> rows = (anchor == null
                ? em.createQuery("select e.payload, e.seq from EventEntity e where e.mac = ?1 order by e.time, e.seq", Object[].class)
                .setParameter(1, mac)
                : em.createQuery("select e.payload, e.seq from EventEntity e where e.mac = ?1 and e.time >= ?2 order by e.time, e.seq",
                        Object[].class).setParameter(1, mac).setParameter(2, anchor)).getResultList();
        List<TrackedEvent> tracked = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            Decoded<BootEvent> d = EventJson.decodeEvent(((String) row[0]).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (d instanceof Decoded.Valid<BootEvent> v) {
                tracked.add(new TrackedEvent(v.value(), ((Number) row[1]).longValue()));
            }
        }
        List<Attempt> attempts = BootTracker.replay(tracked);
        // bulk statements run at once; the attempts before the anchor are older than every replayed one
        if (anchor == null) {
            AttemptEntity.delete("mac", mac);
        } else {
            AttemptEntity.delete("mac = ?1 and startedAt >= ?2", mac, anchor);
            if (!attempts.isEmpty()) {
                AttemptEntity.update("latest = false where mac = ?1 and latest = true", mac);
            }
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
            row.persist(); // inserted at commit, in JDBC batches; no later statement of this batch reads them
        }
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

    /** For logging: a set of MACs kept short. */
    static String brief(Set<String> macs) {
        return macs.size() <= 5 ? macs.toString() : macs.size() + " machines";
    }
}
