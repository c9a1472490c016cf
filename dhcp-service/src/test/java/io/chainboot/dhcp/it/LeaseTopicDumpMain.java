package io.chainboot.dhcp.it;

import io.chainboot.events.Decoded;
import io.chainboot.events.EventJson;
import io.chainboot.events.Lease;
import io.chainboot.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Prints every record of {@code chainboot.leases} from the beginning to the current end, one line
 * each: {@code PUT ip mac expiry-epoch-seconds} or {@code DEL ip}; run in a namespace that reaches
 * the broker ({@code ip netns exec … java … LeaseTopicDumpMain HOST:PORT OUTPUT-FILE}).
 */
public final class LeaseTopicDumpMain {
    public static void main(String[] args) throws java.io.IOException {
        try (java.io.PrintStream out = new java.io.PrintStream(java.nio.file.Files.newOutputStream(java.nio.file.Path.of(args[1])));
             KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0],
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.LEASES, Duration.ofSeconds(20)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(20));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        out.println("DEL " + r.key());
                    } else if (EventJson.decodeLease(r.value()) instanceof Decoded.Valid<Lease> v) {
                        out.println("PUT " + v.value().ip() + " " + v.value().mac() + " "
                                + v.value().expiresAt().getEpochSecond());
                    }
                }
            }
            out.println("END");
        }
        System.exit(0);
    }
}
