package io.chainboot.dhcp.ha;

import io.chainboot.dhcp.lease.LeaseTable;
import io.chainboot.events.Decoded;
import io.chainboot.events.EventJson;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kafka side of HA (I/O only; every decision is in {@link Ha}'s pure parts and {@link LeaseTable}):
 * one thread reads {@code chainboot.leases} and {@code chainboot.dhcp-ha} from the beginning (all
 * partitions assigned, no consumer group), feeds each lease record to the table of its pool
 * ({@link LeaseTable#observe}) and each heartbeat to {@link Liveness}, and once a second fetches the
 * end offsets: when it has read up to them, the view is current as of that fetch. A second thread
 * writes this instance's heartbeat. Kafka unreachable: both retry quietly; the view goes stale.
 */
public final class HaLink implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HaLink.class);

    private final Ha ha;
    private final List<LeaseTable> tables;
    private final String bootstrap;
    private final Runnable onLoaded;
    private final Clock clock;
    private volatile boolean running = true;
    private Thread reader;
    private Thread beater;

    /** {@code onLoaded} runs once, on the reader thread, when the topic has been read to its end the first time. */
    public HaLink(Ha ha, List<LeaseTable> tables, String bootstrap, Runnable onLoaded, Clock clock) {
        this.ha = ha;
        this.tables = List.copyOf(tables);
        this.bootstrap = bootstrap;
        this.onLoaded = onLoaded;
        this.clock = clock;
    }

    public HaLink start() {
        reader = new Thread(this::readLoop, "dhcp-ha-reader");
        reader.setDaemon(true);
        reader.start();
        beater = new Thread(this::heartbeatLoop, "dhcp-ha-heartbeat");
        beater.setDaemon(true);
        beater.start();
        return this;
    }

    private void readLoop() {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG, "dhcp-ha-" + ha.settings().index(),
                ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000",
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000",
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        boolean loaded = false;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = null;
            while (running && parts == null) {
                parts = partitions(consumer);
                if (parts == null) {
                    sleep(1000);
                }
            }
            if (!running) {
                return;
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> target = null;
            Instant targetAt = null;
            long nextCheck = 0;
            while (running) {
                try {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        apply(r);
                    }
                    long nowNanos = System.nanoTime();
                    if (target == null && nowNanos >= nextCheck) {
                        targetAt = Instant.now(clock);
                        target = consumer.endOffsets(parts, Duration.ofSeconds(2));
                        nextCheck = nowNanos + 1_000_000_000L;
                    }
                    if (target != null && reached(consumer, target)) {
                        ha.liveness().caughtUp(targetAt);
                        target = null;
                        if (!loaded) {
                            loaded = true;
                            LOG.infof("HA instance %d: read chainboot.leases to its end; answering", ha.settings().index());
                            onLoaded.run();
                        }
                    }
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    target = null;
                    LOG.debugf("HA view: %s", e.getMessage());
                } catch (org.apache.kafka.common.errors.InterruptException | org.apache.kafka.common.errors.WakeupException e) {
                    return;
                } catch (RuntimeException e) {
                    target = null;
                    LOG.warnf("HA view: %s", e.toString());
                    sleep(500);
                }
            }
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer) {
        try {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(Topics.LEASES, Topics.DHCP_HA)) {
                List<PartitionInfo> info = consumer.partitionsFor(topic, Duration.ofSeconds(3));
                if (info == null || info.isEmpty()) {
                    LOG.infof("HA view: topic %s not there yet", topic);
                    return null;
                }
                info.forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
            }
            return parts;
        } catch (RuntimeException e) {
            LOG.infof("HA view: waiting for Kafka at %s (%s)", bootstrap, e.toString());
            return null;
        }
    }

    private static boolean reached(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> target) {
        for (Map.Entry<TopicPartition, Long> e : target.entrySet()) {
            if (consumer.position(e.getKey(), Duration.ofSeconds(2)) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        Instant now = Instant.now(clock);
        if (r.topic().equals(Topics.DHCP_HA)) {
            Decoded<Heartbeat> h = Heartbeat.decode(r.value());
            if (h instanceof Decoded.Valid<Heartbeat> v) {
                ha.liveness().heard(v.value().index(), v.value().sentAt(), now);
            }
            return;
        }
        Ipv4Address ip;
        try {
            ip = Ipv4Address.parse(r.key());
        } catch (RuntimeException e) {
            LOG.debugf("HA view: lease record with key %s is not an address", r.key());
            return;
        }
        Optional<LeaseTable> table = tables.stream().filter(t -> t.pool().inSubnet(ip)).findFirst();
        if (table.isEmpty()) {
            return;
        }
        LeaseTable.Observed o;
        if (r.value() == null) {
            o = table.get().observeGone(ip, now);
        } else {
            Decoded<Lease> d = EventJson.decodeLease(r.value());
            if (!(d instanceof Decoded.Valid<Lease> v)) {
                LOG.debugf("HA view: unreadable lease record for %s", ip);
                return;
            }
            o = table.get().observe(v.value(), now);
            if (o == LeaseTable.Observed.CONFLICT && ha.loaded()) {
                ha.conflict();
                LOG.errorf("HA: %s is bound to %s in chainboot.leases while this instance holds it for another client",
                        ip, v.value().mac());
            }
        }
    }

    private void heartbeatLoop() {
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, "0",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "5000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000",
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000",
                ProducerConfig.CLIENT_ID_CONFIG, "dhcp-ha-heartbeat-" + ha.settings().index());
        long every = ha.settings().heartbeat().toMillis();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            while (running) {
                Heartbeat h = ha.heartbeat(clock);
                try {
                    producer.send(new ProducerRecord<>(Topics.DHCP_HA, h.key(), h.encode()));
                } catch (RuntimeException e) {
                    LOG.debugf("HA heartbeat not sent: %s", e.toString());
                }
                sleep(every);
            }
        } catch (RuntimeException e) {
            LOG.warnf("HA heartbeat: %s", e.toString());
        }
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            running = false;
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : new Thread[] {reader, beater}) {
            if (t != null) {
                t.interrupt();
                try {
                    t.join(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
