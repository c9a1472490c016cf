package io.chainboot.common;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SharedProducersTest {
    private final List<MockProducer<String, byte[]>> made = new ArrayList<>();
    private final SharedProducers shared = new SharedProducers(bootstrap -> {
        MockProducer<String, byte[]> p = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        made.add(p);
        return p;
    });

    @Test
    void sendersOfOneBrokerShareOneProducerClosedByTheLastOfThem() {
        Producer<String, byte[]> a = shared.acquire("k:9092");
        Producer<String, byte[]> b = shared.acquire("k:9092");
        Producer<String, byte[]> other = shared.acquire("other:9092");
        assertThat(a).isSameAs(b).isNotSameAs(other);
        assertThat(made).hasSize(2);

        shared.release(a, Duration.ZERO);
        assertThat(made.get(0).closed()).as("still used by the second sender").isFalse();
        shared.release(b, Duration.ZERO);
        assertThat(made.get(0).closed()).isTrue();
        assertThat(made.get(1).closed()).isFalse();

        assertThat(shared.acquire("k:9092")).as("a new producer after the last one closed").isNotSameAs(a);
        assertThat(made).hasSize(3);
    }

    @Test
    void twoSendersOnTheSharedProducerDeliverBothStreamsAndCloseIt() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Producer<String, byte[]> p1 = shared.acquire("k:9092");
        BufferedKafkaSender<String> events = new BufferedKafkaSender<>("events", shared, p1, 100, registry, "ev",
                s -> new ProducerRecord<>("events", s, s.getBytes(StandardCharsets.UTF_8)));
        BufferedKafkaSender<String> leases = new BufferedKafkaSender<>("leases", shared, shared.acquire("k:9092"), 100,
                registry, "le", s -> new ProducerRecord<>("leases", s, s.getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < 20; i++) {
            events.offer("e" + i);
            leases.offer("l" + i);
        }
        MockProducer<String, byte[]> producer = made.get(0);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (producer.history().size() < 40 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(made).hasSize(1);
        assertThat(producer.history()).filteredOn(r -> r.topic().equals("events")).extracting(ProducerRecord::key)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "e" + i).toList());
        assertThat(producer.history()).filteredOn(r -> r.topic().equals("leases")).hasSize(20);
        events.close(Duration.ofSeconds(1));
        assertThat(producer.closed()).isFalse();
        leases.close(Duration.ofSeconds(1));
        assertThat(producer.closed()).isTrue();
        assertThat(registry.counter("ev.published").count()).isEqualTo(20);
        assertThat(registry.counter("le.published").count()).isEqualTo(20);
    }
}
