package io.chainboot.common;

import io.chainboot.events.Decoded;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A whole compacted topic held in memory: every partition assigned (no consumer group), read from
 * the beginning, a tombstone removes the key. Each service instance has its own full copy, so the
 * boot path never waits on Kafka, and keeps serving from the last copy while Kafka is down.
 */
public final class CompactedTopicView<V> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CompactedTopicView.class);

    private final String topic;
    private final Function<byte[], Decoded<V>> decoder;
    private final Map<String, V> values = new ConcurrentHashMap<>();
    private final BiConsumer<String, V> listener;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    /** @param listener told of every change (value null = removed); may be a no-op */
    public CompactedTopicView(String bootstrap, String topic, Function<byte[], Decoded<V>> decoder,
                              BiConsumer<String, V> listener) {
        this.topic = topic;
        this.decoder = decoder;
        this.listener = listener;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000",
                ConsumerConfig.CLIENT_ID_CONFIG, "view-" + topic),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "view-" + topic);
        this.thread.setDaemon(true);
    }

    public CompactedTopicView<V> start() {
        thread.start();
        return this;
    }

    public V get(String key) {
        return values.get(key);
    }

    public Map<String, V> snapshot() {
        return Map.copyOf(values);
    }

    /** True once everything present at start has been read. */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = List.of();
            while (running && partitions.isEmpty()) {
                try {
                    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                    partitions = infos == null ? List.of()
                            : infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                } catch (WakeupException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.debugf("waiting for topic %s: %s", topic, e.toString());
                }
                if (partitions.isEmpty()) {
                    Thread.sleep(1000);
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    apply(r);
                }
                if (!caughtUp && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                    LOG.infof("%s: %d entries loaded", topic, values.size());
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "view of %s stopped", topic);
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            return;
        }
        if (r.value() == null) {
            values.remove(r.key());
            listener.accept(r.key(), null);
            return;
        }
        Decoded<V> decoded = decoder.apply(r.value());
        if (decoded instanceof Decoded.Valid<V> v) {
            values.put(r.key(), v.value());
            listener.accept(r.key(), v.value());
        } else if (decoded instanceof Decoded.Invalid<V> i) {
            LOG.warnf("%s: skipped bad record for key %s at offset %d: %s", topic, r.key(), r.offset(), i.reason());
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
