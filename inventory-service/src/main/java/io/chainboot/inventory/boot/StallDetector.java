package io.chainboot.inventory.boot;

import io.chainboot.events.BootStage;
import io.chainboot.events.BootStalled;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.inventory.config.InventoryConfig;
import io.chainboot.inventory.ingest.BootEventConsumer;
import io.chainboot.inventory.leader.Leadership;
import io.chainboot.inventory.store.AttemptEntity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Finds latest attempts that stayed at a progressing stage longer than its threshold
 * ({@code chainboot.inventory.stall.<stage>}) — except attempts {@link Attempt#handedOff handed off}
 * by a script that attaches no SAN —, and for each one stores a {@link BootStalled}
 * event through the same path as consumed events, writing it to the outbox in the same
 * transaction that turns the attempt STALLED (the relay publishes it; the echo from Kafka is a
 * duplicate id and changes nothing). Only the {@link Leadership leader} instance checks.
 * Thresholds are measured against {@link BootEventConsumer#caughtUpTo}, not the wall clock, so that
 * machines whose events are still waiting in a consumer backlog are not declared stalled.
 */
@ApplicationScoped
public class StallDetector {
    private static final Logger LOG = Logger.getLogger(StallDetector.class);

    private final InventoryConfig config;
    private final BootEventConsumer consumer;
    private final Leadership leadership;
    private final EventSource self;
    private ScheduledExecutorService timer;

    /** The stages an attempt can stall at: those with a threshold (OS_RUNNING, FAILED, STALLED have none). */
    private final List<BootStage> stalling;
    /** One query for every stalling stage: a {@code (stage = ? and stageSince < ?)} branch per stage. */
    private final String stuckQuery;

    public StallDetector(InventoryConfig config, BootEventConsumer consumer, Leadership leadership,
                         EventSource self) {
        this.config = config;
        this.consumer = consumer;
        this.leadership = leadership;
        this.self = self;
        this.stalling = Arrays.stream(BootStage.values()).filter(st -> config.stall().threshold(st).isPresent()).toList();
        this.stuckQuery = "select a.id, a.mac, a.stageSince, m.lastIp, a.stage from AttemptEntity a "
                + "left join MachineEntity m on m.mac = a.mac where a.latest = true "
                + "and (a.handedOff is null or a.handedOff = false) and ("
                + IntStream.range(0, stalling.size())
                        .mapToObj(i -> "(a.stage = ?" + (2 * i + 1) + " and a.stageSince < ?" + (2 * i + 2) + ")")
                        .collect(Collectors.joining(" or "))
                + ")";
    }

    void start(@Observes StartupEvent ev) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stall-detector");
            t.setDaemon(true);
            return t;
        });
        long every = config.stall().checkEvery().toMillis();
        timer.scheduleWithFixedDelay(this::safeCheck, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent ev) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void safeCheck() {
        if (!leadership.isLeader()) {
            return; // another instance declares stalls
        }
        try {
            check(Instant.now());
        } catch (RuntimeException e) {
            LOG.debugf("stall check skipped: %s", e.toString());
        }
    }

    /** One pass at {@code now}; returns the stall events it produced. */
    public List<BootStalled> check(Instant now) {
        List<BootStalled> stalls = new ArrayList<>();
        Instant reference = consumer.caughtUpTo(now, config.stall().startupGrace());
        if (reference == null) {
            return stalls;
        }
        // every stuck attempt of every stage, with its machine's last IP, in one statement per pass
        // (not one per stage or machine): the partial index boot_attempt_open (stage, stage_since)
        // answers each stage's range
        List<Object[]> stuck = QuarkusTransaction.requiringNew().call(() -> {
            var query = AttemptEntity.getEntityManager().createQuery(stuckQuery, Object[].class);
            int p = 1;
            for (BootStage stage : stalling) {
                query.setParameter(p++, stage.name());
                query.setParameter(p++, reference.minus(config.stall().threshold(stage).orElseThrow()));
            }
            return query.getResultList();
        });
        for (Object[] a : stuck) {
            BootStage stage = BootStage.valueOf((String) a[4]);
            String ip = (String) a[3];
            stalls.add(new BootStalled(UUID.randomUUID(), now, self, MacAddress.parse((String) a[1]),
                    ip == null ? null : Ipv4Address.parse(ip), stage, (Instant) a[2],
                    config.stall().threshold(stage).orElseThrow().toSeconds(), a[0].toString()));
        }
        if (!stalls.isEmpty()) {
            consumer.accept(new ArrayList<>(stalls), true); // stored, and in the outbox, in one transaction
            for (BootStalled s : stalls) {
                LOG.warnf("%s boot stalled at %s since %s (threshold %ds)", s.mac(), s.stage(), s.stageSince(),
                        s.thresholdSeconds());
            }
        }
        return stalls;
    }
}
