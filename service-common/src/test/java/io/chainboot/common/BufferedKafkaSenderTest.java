package io.chainboot.common;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class BufferedKafkaSenderTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private BufferedKafkaSender<String> sender;

    @AfterEach
    void close() {
        if (sender != null) {
            sender.close(Duration.ZERO);
        }
    }

    private static ProducerRecord<String, byte[]> record(String item) {
        if (item.equals("unencodable")) {
            throw new IllegalArgumentException("cannot encode");
        }
        return new ProducerRecord<>("t", item, item.getBytes(StandardCharsets.UTF_8));
    }

    private double count(String name) {
        return registry.counter("test." + name).count();
    }

    @Test
    void sendsEveryItemInOrderAndCountsThem() throws Exception {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        sender = new BufferedKafkaSender<>("t-sender", producer, 100, registry, "test", BufferedKafkaSenderTest::record);
        for (int i = 0; i < 50; i++) {
            assertThat(sender.offer("e" + i)).isTrue();
        }
        await(() -> producer.history().size() == 50);
        assertThat(producer.history()).extracting(ProducerRecord::key)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 50).mapToObj(i -> "e" + i).toList());
        await(() -> count("published") == 50);
        assertThat(sender.buffered()).isZero();
    }

    @Test
    void aFailedSendIsRetriedNotLost() throws Exception {
        MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
        sender = new BufferedKafkaSender<>("t-sender", producer, 100, registry, "test", BufferedKafkaSenderTest::record);
        sender.offer("a");
        await(() -> producer.history().size() == 1);
        assertThat(producer.errorNext(new TimeoutException("broker away"))).isTrue();
        await(() -> producer.history().size() == 2); // the same item, sent again
        assertThat(producer.completeNext()).isTrue();
        await(() -> count("published") == 1);
        assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("a", "a");
        assertThat(count("retried")).isEqualTo(1);
        assertThat(count("dropped")).isZero();
    }

    @Test
    void aRefusedSendInTheMiddleOfABurstPutsItAndTheRestBackInOrder() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean refuseOnce = new java.util.concurrent.atomic.AtomicBoolean(true);
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
                    ProducerRecord<String, byte[]> r, org.apache.kafka.clients.producer.Callback cb) {
                if (r.key().equals("c") && refuseOnce.getAndSet(false)) {
                    throw new org.apache.kafka.common.errors.TimeoutException("no metadata: broker away");
                }
                return super.send(r, cb);
            }
        };
        sender = new BufferedKafkaSender<>("t-sender", producer, 100, registry, "test", BufferedKafkaSenderTest::record);
        for (String k : List.of("a", "b", "c", "d", "e")) { // one burst: the sender hands it over in one pass
            sender.offer(k);
        }
        await(() -> producer.history().size() == 5);
        assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("a", "b", "c", "d", "e");
        assertThat(count("retried")).isEqualTo(1);
        assertThat(count("dropped")).isZero();
    }

    @Test
    void aFullBufferDropsAndCountsButNeverBlocks() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
                    ProducerRecord<String, byte[]> record, org.apache.kafka.clients.producer.Callback callback) {
                try { // Kafka unreachable: the producer blocks the sender thread
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.send(record, callback);
            }
        };
        sender = new BufferedKafkaSender<>("t-sender", producer, 3, registry, "test", BufferedKafkaSenderTest::record);
        sender.offer("first"); // taken by the sender thread, which then blocks in send
        await(() -> sender.buffered() == 0);
        List<Boolean> accepted = List.of(sender.offer("b"), sender.offer("c"), sender.offer("d"), sender.offer("e"));
        assertThat(accepted).containsExactly(true, true, true, false);
        assertThat(count("dropped")).isEqualTo(1);
        release.countDown();
        await(() -> count("published") == 4);
        assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("first", "b", "c", "d");
    }

    @Test
    void anItemThatCannotBeEncodedIsDroppedAndTheRestStillGo() throws Exception {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        sender = new BufferedKafkaSender<>("t-sender", producer, 10, registry, "test", BufferedKafkaSenderTest::record);
        sender.offer("unencodable");
        sender.offer("fine");
        await(() -> count("published") == 1);
        assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("fine");
        assertThat(count("dropped")).isEqualTo(1);
    }

    @Test
    void closeDrainsWhatIsBuffered() {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        sender = new BufferedKafkaSender<>("t-sender", producer, 1000, registry, "test", BufferedKafkaSenderTest::record);
        for (int i = 0; i < 500; i++) {
            sender.offer("e" + i);
        }
        sender.close(Duration.ofSeconds(5));
        assertThat(producer.history()).hasSize(500);
        assertThat(producer.closed()).isTrue();
        sender = null;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }
}
