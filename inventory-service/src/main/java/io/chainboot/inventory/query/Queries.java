package io.chainboot.inventory.query;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.chainboot.events.BootStage;
import io.chainboot.events.EventJson;
import io.chainboot.inventory.machines.MachineService;
import io.chainboot.inventory.store.AttemptEntity;
import io.chainboot.inventory.store.EventEntity;
import io.chainboot.inventory.store.MachineEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Read side: machines with their current stage, timelines, statistics. */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class Queries {
    private static final TypeReference<LinkedHashMap<String, String>> MAP = new TypeReference<>() {
    };

    private final EntityManager em;

    public Queries(EntityManager em) {
        this.em = em;
    }

    @Transactional
    public List<MachineView> machines() {
        List<MachineEntity> machines = MachineEntity.list("order by mac");
        Map<String, AttemptEntity> latest = new HashMap<>();
        for (AttemptEntity a : AttemptEntity.<AttemptEntity>list("latest = true")) {
            latest.put(a.mac, a);
        }
        List<MachineView> out = new ArrayList<>(machines.size());
        for (MachineEntity m : machines) {
            out.add(view(m, latest.get(m.mac), true));
        }
        return out;
    }

    @Transactional
    public List<MachineView> machines(Collection<String> macs) {
        if (macs.isEmpty()) {
            return List.of();
        }
        List<MachineEntity> machines = MachineEntity.list("mac in ?1", macs);
        Map<String, AttemptEntity> latest = new HashMap<>();
        for (AttemptEntity a : AttemptEntity.<AttemptEntity>list("latest = true and mac in ?1", macs)) {
            latest.put(a.mac, a);
        }
        List<MachineView> out = new ArrayList<>(machines.size());
        for (MachineEntity m : machines) {
            out.add(view(m, latest.get(m.mac), true));
        }
        return out;
    }

    @Transactional
    public Optional<MachineView> machine(String mac) {
        MachineEntity m = MachineEntity.findById(mac);
        if (m == null) {
            return Optional.empty();
        }
        AttemptEntity a = AttemptEntity.find("latest = true and mac = ?1", mac).firstResult();
        return Optional.of(view(m, a, true));
    }

    private static MachineView view(MachineEntity m, AttemptEntity a, boolean withSpec) {
        return new MachineView(m.mac, m.hostname, m.profile, m.origin, m.lastIp, m.uuid, m.arch, m.vendorClass,
                m.firstSeen, m.lastSeen,
                a == null ? null : a.id, a == null ? null : a.stage, a == null ? null : a.progress,
                a == null ? null : a.stageSince, a == null ? null : a.startedAt, a == null ? null : a.reason,
                a == null ? null : a.profile, a == null ? null : readMap(a.reached), a == null ? null : a.bootMillis,
                withSpec ? MachineService.spec(m).orElse(null) : null);
    }

    /** The machine's boot attempts, newest first (without events). */
    @Transactional
    public List<Timeline> boots(String mac, int limit) {
        List<AttemptEntity> attempts = AttemptEntity.find("mac = ?1 order by startedAt desc", mac).page(0, limit).list();
        List<Timeline> out = new ArrayList<>();
        for (AttemptEntity a : attempts) {
            out.add(timeline(a, null));
        }
        return out;
    }

    /** One attempt with its events: those of the machine from its start up to the next attempt's start. */
    @Transactional
    public Optional<Timeline> timeline(UUID attemptId) {
        AttemptEntity a = AttemptEntity.findById(attemptId);
        if (a == null) {
            return Optional.empty();
        }
        AttemptEntity next = AttemptEntity.find("mac = ?1 and startedAt > ?2 order by startedAt", a.mac, a.startedAt)
                .firstResult();
        List<EventEntity> rows = next == null
                ? EventEntity.list("mac = ?1 and time >= ?2 order by time, seq", a.mac, a.startedAt)
                : EventEntity.list("mac = ?1 and time >= ?2 and time < ?3 order by time, seq", a.mac, a.startedAt,
                next.startedAt);
        List<Timeline.Entry> entries = new ArrayList<>(rows.size());
        for (EventEntity e : rows) {
            entries.add(new Timeline.Entry(e.id, e.type, e.time, e.source, e.ip, readTree(e.payload)));
        }
        return Optional.of(timeline(a, entries));
    }

    private static Timeline timeline(AttemptEntity a, List<Timeline.Entry> events) {
        Map<String, String> reached = readMap(a.reached);
        Map<String, Long> durations = new LinkedHashMap<>();
        String prev = null;
        for (Map.Entry<String, String> e : reached.entrySet()) {
            if (prev != null) {
                durations.put(prev, Duration.between(Instant.parse(reached.get(prev)), Instant.parse(e.getValue())).toMillis());
            }
            prev = e.getKey();
        }
        if (prev != null && !prev.equals(BootStage.OS_RUNNING.name())) {
            boolean finished = BootStage.FAILED.name().equals(a.stage) || BootStage.STALLED.name().equals(a.stage);
            Instant end = finished ? a.stageSince : Instant.now();
            durations.put(prev, Duration.between(Instant.parse(reached.get(prev)), end).toMillis());
        }
        return new Timeline(a.id, a.mac, a.startedAt, a.stage, a.progress, a.stageSince, a.reason, a.profile,
                reached, durations, a.bootMillis, events);
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public Stats stats() {
        List<Stats.ProfileBootTime> times = new ArrayList<>();
        for (Object[] r : (List<Object[]>) em.createNativeQuery(
                "select coalesce(profile, '(none)'), count(*), "
                        + "percentile_cont(0.5) within group (order by boot_millis), "
                        + "percentile_cont(0.9) within group (order by boot_millis), "
                        + "percentile_cont(0.99) within group (order by boot_millis), max(boot_millis) "
                        + "from boot_attempt where boot_millis is not null group by 1 order by 1").getResultList()) {
            times.add(new Stats.ProfileBootTime((String) r[0], ((Number) r[1]).longValue(), ((Number) r[2]).doubleValue(),
                    ((Number) r[3]).doubleValue(), ((Number) r[4]).doubleValue(), ((Number) r[5]).doubleValue()));
        }
        return new Stats(times,
                counts("select progress, count(*) from boot_attempt where stage = 'FAILED' group by 1 order by 1"),
                counts("select progress, count(*) from boot_attempt where stage = 'STALLED' group by 1 order by 1"),
                counts("select stage, count(*) from boot_attempt where latest group by 1 order by 1"),
                ((Number) em.createNativeQuery("select count(*) from machine").getSingleResult()).longValue(),
                ((Number) em.createNativeQuery("select count(*) from boot_event").getSingleResult()).longValue());
    }

    @SuppressWarnings("unchecked")
    private Map<String, Long> counts(String sql) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Object[] r : (List<Object[]>) em.createNativeQuery(sql).getResultList()) {
            out.put((String) r[0], ((Number) r[1]).longValue());
        }
        return out;
    }

    @Transactional
    public long eventCount() {
        return ((Number) em.createNativeQuery("select count(*) from boot_event").getSingleResult()).longValue();
    }

    @Transactional
    public Optional<Timeline.Entry> event(UUID id) {
        EventEntity e = EventEntity.findById(id);
        return e == null ? Optional.empty()
                : Optional.of(new Timeline.Entry(e.id, e.type, e.time, e.source, e.ip, readTree(e.payload)));
    }

    static Map<String, String> readMap(String json) {
        try {
            return EventJson.mapper().readValue(json, MAP);
        } catch (IOException e) {
            return Map.of();
        }
    }

    static JsonNode readTree(String json) {
        try {
            return EventJson.mapper().readTree(json);
        } catch (IOException e) {
            return null;
        }
    }
}
