package io.chainboot.inventory;

import io.chainboot.events.BootEvent;
import io.chainboot.events.EventJson;
import io.chainboot.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Plain Kafka clients for tests: produce events as a service would, read topics back. */
public final class KafkaClients {
    private KafkaClients() {
    }

    public static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "0"),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends and waits for the broker's ack, as a service's publisher eventually does. */
    public static void send(KafkaProducer<String, byte[]> producer, List<? extends BootEvent> events) {
        try {
            for (BootEvent e : events) {
                producer.send(new ProducerRecord<>(Topics.BOOT_EVENTS, e.key(), EventJson.encode(e))).get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every boot event on {@link Topics#BOOT_EVENTS} from the beginning, read for {@code wait}. */
    public static List<BootEvent> readEvents(String bootstrap, Duration wait) {
        List<BootEvent> out = new java.util.ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.BOOT_EVENTS));
            long end = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (EventJson.decodeEvent(r.value()) instanceof io.chainboot.events.Decoded.Valid<BootEvent> v) {
                        out.add(v.value());
                    }
                }
            }
        }
        return out;
    }

    /** Everything on {@code topic} from the beginning, last value per key (a compacted view; null = tombstone). */
    public static Map<String, byte[]> readAll(String bootstrap, String topic, Duration wait) {
        Map<String, byte[]> out = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long end = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.put(r.key(), r.value());
                }
            }
        }
        return out;
    }
}
