package io.chainboot.inventory.machines;

import io.chainboot.common.CommonConfig;
import io.chainboot.inventory.config.InventoryConfig;
import io.chainboot.inventory.leader.Leadership;
import io.chainboot.inventory.store.OutboxEntity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Publishes outbox rows in id order and marks them sent. At least once: a crash after the send
 * and before the mark publishes the row again, which a compacted topic absorbs (same key, same
 * value). Kafka or PostgreSQL being down only makes the relay wait and retry. Only the
 * {@link Leadership leader} instance relays.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final boolean enabled;
    private final String bootstrap;
    private final InventoryConfig config;
    private final Counter sent;
    private final Leadership leadership;
    private final OutboxSignal signal;
    private volatile boolean running;
    /** Highest outbox id when the service started (after the machines file was applied); -1 = not read yet. */
    private volatile long startupHighWater = -1;
    private volatile boolean startupPublished;
    private Thread thread;
    private KafkaProducer<String, byte[]> producer;

    public OutboxRelay(CommonConfig common, InventoryConfig config, MeterRegistry registry,
                       @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap, Leadership leadership,
                       OutboxSignal signal) {
        this.leadership = leadership;
        this.signal = signal;
        this.enabled = common.kafkaEnabled();
        this.bootstrap = bootstrap;
        this.config = config;
        this.sent = registry.counter("chainboot.inventory.outbox.sent");
    }

    void start(@Observes StartupEvent ev) {
        if (!enabled) {
            return;
        }
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000",
                ProducerConfig.CLIENT_ID_CONFIG, "chainboot-inventory-outbox"),
                new StringSerializer(), new ByteArraySerializer());
        running = true;
        thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        long pause = config.outbox().pollEvery().toMillis();
        while (running) {
            checkStartupPublished();
            if (!leadership.isLeader()) {
                sleep(pause); // another instance relays
                continue;
            }
            int n;
            try {
                n = relayOnce();
            } catch (RuntimeException e) {
                LOG.warnf("outbox relay: %s (will retry)", e.toString());
                n = 0;
                sleep(2000);
            }
            if (n == 0) {
                try {
                    signal.await(pause); // woken by a commit in this process; polls for other instances' rows
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
        }
    }

    /**
     * Whether every outbox row that existed at start — the machines file's among them — is on
     * Kafka: {@link MachinesPublishedReadiness} is DOWN until then, so the services that decide
     * boots start (./chainboot up) or are reported ready only with the declared machines in their view.
     */
    public boolean startupPublished() {
        return !enabled || startupPublished;
    }

    private void checkStartupPublished() {
        if (startupPublished) {
            return;
        }
        try {
            if (startupHighWater < 0) {
                Long max = QuarkusTransaction.requiringNew().call(() ->
                        OutboxEntity.getEntityManager().createQuery("select max(o.id) from OutboxEntity o", Long.class)
                                .getSingleResult());
                startupHighWater = max == null ? 0 : max;
            }
            long high = startupHighWater;
            long unsent = QuarkusTransaction.requiringNew().call(() ->
                    OutboxEntity.count("sentAt is null and id <= ?1", high));
            if (unsent == 0) {
                startupPublished = true;
                LOG.infof("machine specs present at start (outbox up to id %d) are published on Kafka", high);
            }
        } catch (RuntimeException e) {
            LOG.debugf("outbox start-up check: %s", e.toString());
        }
    }

    /** One pass: publish up to a batch of unsent rows, wait for Kafka's acks, mark them sent. */
    public int relayOnce() {
        List<OutboxEntity> rows = QuarkusTransaction.requiringNew().call(() ->
                OutboxEntity.<OutboxEntity>find("sentAt is null order by id").page(0, config.outbox().batchSize()).list());
        if (rows.isEmpty()) {
            return 0;
        }
        List<Future<?>> acks = new ArrayList<>(rows.size());
        for (OutboxEntity row : rows) {
            acks.add(producer.send(new ProducerRecord<>(row.topic, row.key, row.payload)));
        }
        try {
            for (Future<?> f : acks) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("outbox publish failed: " + e, e);
        }
        List<Long> ids = rows.stream().map(r -> r.id).toList();
        QuarkusTransaction.requiringNew().run(() ->
                OutboxEntity.update("sentAt = ?1 where id in ?2", Instant.now(), ids));
        sent.increment(rows.size());
        return rows.size();
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            producer.close(Duration.ofSeconds(3));
        }
    }
}
