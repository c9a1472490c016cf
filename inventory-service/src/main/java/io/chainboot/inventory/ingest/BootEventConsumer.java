package io.chainboot.inventory.ingest;

import io.chainboot.events.BootEvent;
import io.chainboot.events.Decoded;
import io.chainboot.events.EventJson;
import io.chainboot.inventory.live.LiveUpdates;
import io.chainboot.inventory.query.Queries;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Consumes {@code chainboot.boot-events} in the {@code chainboot-inventory} group, a batch of
 * records at a time. Each batch is stored in one transaction ({@link EventStore#ingest}); the
 * method returns — and the connector may commit the batch's offsets — only after that commit, so
 * a crash redelivers at most the uncommitted batch, which the event-id key makes harmless.
 *
 * <p>Events inventory produced itself ({@code machine.registered}, {@code boot.stalled}) come back
 * through the topic after the outbox relays them; they were stored in the transaction that queued
 * them, so they are counted as duplicates and skipped without a database round trip (during a
 * registration burst they were half of the consumed records).
 *
 * <p>Undecodable records are counted ({@code chainboot.inventory.events.invalid}) and skipped.
 * While PostgreSQL is unreachable the batch is retried with back-off, forever: consumption pauses
 * and resumes where it stopped. If PostgreSQL is up and a batch still fails, events are stored
 * one by one and an event that fails alone is counted and skipped, so one bad event never blocks
 * the partition.
 */
@ApplicationScoped
public class BootEventConsumer {
    private static final Logger LOG = Logger.getLogger(BootEventConsumer.class);
    /** A batch slower than this to store is logged: it is what a dashboard user sees as lag. */
    private static final long SLOW_BATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final EventStore store;
    private final Queries queries;
    private final LiveUpdates live;
    private final Counter invalid;
    private final Counter stored;
    private final Counter duplicates;
    private final Counter failed;
    private final Counter dbRetries;
    private final Timer batches;
    private final String self;
    private volatile boolean stopping;
    private volatile long positionTimestamp;
    private volatile boolean lagging;
    private volatile boolean inBatch;
    private volatile long lastBatchAt;
    private final long startedAt = System.currentTimeMillis();

    public BootEventConsumer(EventStore store, Queries queries, LiveUpdates live,
                             MeterRegistry registry, io.chainboot.events.EventSource self) {
        this.self = self.service();
        this.store = store;
        this.queries = queries;
        this.live = live;
        this.invalid = registry.counter("chainboot.inventory.events.invalid");
        this.stored = registry.counter("chainboot.inventory.events.stored");
        this.duplicates = registry.counter("chainboot.inventory.events.duplicate");
        this.failed = registry.counter("chainboot.inventory.events.failed");
        this.dbRetries = registry.counter("chainboot.inventory.db.retries");
        this.batches = Timer.builder("chainboot.inventory.ingest.batch")
                .description("one batch stored: its transaction, from the first statement to the commit")
                .register(registry);
    }

    @Incoming("boot-events")
    @Blocking
    public void consume(ConsumerRecords<String, byte[]> records) {
        List<BootEvent> events = new ArrayList<>(records.count());
        Map<UUID, byte[]> wire = new HashMap<>(records.count() * 2);
        long oldest = Long.MAX_VALUE;
        for (ConsumerRecord<String, byte[]> r : records) {
            oldest = Math.min(oldest, r.timestamp());
            Decoded<BootEvent> d = EventJson.decodeEvent(r.value());
            if (d instanceof Decoded.Valid<BootEvent> v) {
                if (self.equals(v.value().source().service())) {
                    // our own echo (machine.registered, boot.stalled): stored in the transaction
                    // that queued it in the outbox, so it can only be a duplicate
                    duplicates.increment();
                    continue;
                }
                events.add(v.value());
                wire.put(v.value().id(), r.value()); // stored as it came: not encoded again
            } else {
                invalid.increment();
                LOG.warnf("skipping undecodable record key=%s partition=%d offset=%d: %s", r.key(), r.partition(),
                        r.offset(), ((Decoded.Invalid<BootEvent>) d).reason());
            }
        }
        long started = System.currentTimeMillis();
        positionTimestamp = oldest == Long.MAX_VALUE ? started : oldest;
        lagging = started - positionTimestamp > 1000;
        inBatch = true;
        try {
            if (!events.isEmpty()) {
                accept(events, false, wire);
            }
        } finally {
            inBatch = false;
            lastBatchAt = System.currentTimeMillis();
        }
    }

    /**
     * The time up to which the consumer has seen the stream: now when it is caught up, the Kafka
     * timestamp of the oldest record of the current (or last) batch while it works through a
     * backlog (that batch was more than a second old when it started, and batches keep coming). Stall verdicts are measured against it, so a backlog
     * after a restart or an outage is not mistaken for stalled machines. Null after a start until the first
     * batch arrives or {@code startupGrace} passes: no verdicts then.
     */
    public java.time.Instant caughtUpTo(java.time.Instant now, java.time.Duration startupGrace) {
        long wall = now.toEpochMilli();
        if (lastBatchAt == 0 && wall - startedAt < startupGrace.toMillis()) {
            return null; // just started: the backlog (if any) has not even been fetched yet
        }
        boolean busy = inBatch || wall - lastBatchAt < 3000;
        return busy && lagging ? java.time.Instant.ofEpochMilli(positionTimestamp) : now;
    }

    /** Stores consumed events (retrying while the database is away), then tells the dashboards. */
    public void accept(List<BootEvent> events) {
        accept(events, false);
    }

    /**
     * Stores events (retrying while the database is away), then tells the dashboards — once per
     * batch, one view per changed machine. {@code ours}: events inventory produced itself, which
     * go out through the outbox in the same transaction.
     */
    public void accept(List<BootEvent> events, boolean ours) {
        accept(events, ours, Map.of());
    }

    /** As {@link #accept(List, boolean)}, storing each event's {@code wire} JSON (by id) as its payload. */
    synchronized void accept(List<BootEvent> events, boolean ours, Map<UUID, byte[]> wire) {
        long backoff = 250;
        while (true) {
            try {
                long t = System.nanoTime();
                IngestResult result = store.ingest(events, ours, wire);
                long took = System.nanoTime() - t;
                batches.record(took, TimeUnit.NANOSECONDS);
                if (took > SLOW_BATCH_NANOS) {
                    LOG.warnf("a batch of %d events took %d ms to store (%d machines changed)", events.size(),
                            took / 1_000_000, result.changed().size());
                } else if (LOG.isDebugEnabled()) {
                    LOG.debugf("a batch of %d events took %.1f ms to store (%d new, %d machines changed)", events.size(),
                            took / 1e6, result.stored(), result.changed().size());
                }
                done(result);
                return;
            } catch (RuntimeException e) {
                if (stopping) {
                    throw e; // not committed: redelivered after restart
                }
                if (databaseUp()) {
                    oneByOne(events, ours, wire);
                    return;
                }
                dbRetries.increment();
                LOG.warnf("PostgreSQL unavailable, retrying a batch of %d events in %d ms: %s", events.size(), backoff,
                        rootMessage(e));
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5000);
            }
        }
    }

    private void oneByOne(List<BootEvent> events, boolean ours, Map<UUID, byte[]> wire) {
        for (BootEvent e : events) {
            try {
                done(store.ingest(List.of(e), ours, wire));
            } catch (RuntimeException ex) {
                if (!databaseUp()) {
                    accept(events.subList(events.indexOf(e), events.size()), ours, wire);
                    return;
                }
                failed.increment();
                LOG.errorf(ex, "%s: cannot store %s %s, skipped", e.key(), e.type(), e.id());
            }
        }
    }

    private void done(IngestResult result) {
        result.registered().forEach(LOG::info); // after the commit: a rolled-back batch registered nothing
        stored.increment(result.stored());
        duplicates.increment(result.duplicates());
        // to this replica's open streams, and to the other replicas' (LiveUpdates, ReplicaBus)
        live.machinesChanged(result.changed());
    }

    private boolean databaseUp() {
        try {
            return store.databaseUp();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.toString();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for PostgreSQL", e);
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        stopping = true;
    }
}
