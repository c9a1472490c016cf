package io.chainboot.common;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one way Chainboot's protocol services hand records to Kafka without ever blocking the boot
 * path. A caller only {@link #offer offers} an item to a bounded deque; one sender thread turns
 * items into records and feeds the producer. While Kafka is unreachable the producer blocks that
 * thread, never the caller, and items accumulate. A send that fails is put back at the head and
 * tried again, so nothing is lost while the buffer has room; an item that finds the buffer full is
 * dropped, counted and logged — never silently.
 *
 * <p>Order: items leave in the order they were offered. Only after a failed send can a retried item
 * reach Kafka after ones offered later (consumers order boot events by their own time, and
 * compacted topics are re-published in full on start).
 *
 * <p>Metrics, under the given prefix: {@code .published}, {@code .dropped}, {@code .retried}
 * counters and a {@code .buffered} gauge.
 *
 * @param <T> what the caller offers (a boot event, a lease change…)
 */
public final class BufferedKafkaSender<T> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BufferedKafkaSender.class);

    /** How long the first record of a burst waits for the rest of it (see sendLoop). */
    private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final int MAX_BATCH = 1024;
    /** Empty looks (GATHER apart) after which the sender blocks until the next item instead of looking again: 50 ms. */
    private static final int IDLE_ROUNDS = 25;
    private static final AtomicInteger PRODUCERS = new AtomicInteger();

    private final LinkedBlockingDeque<T> buffer;
    private final Function<T, ProducerRecord<String, byte[]>> toRecord;
    private final Producer<String, byte[]> producer;
    /** Gives the producer back: to {@link SharedProducers} (the last user closes it), or closes one owned alone. */
    private final Consumer<Duration> releaseProducer;
    private final Counter published;
    private final Counter dropped;
    private final Counter retried;
    private final Thread sender;
    private volatile boolean running = true;
    /** Drained from the buffer but not yet handed to the producer (close waits for these too). */
    private volatile int inHand;

    /**
     * Starts the sender thread on the process's producer for {@code bootstrap} ({@link SharedProducers}: every
     * sender of a process to one broker shares one producer).
     *
     * @param name          sender thread name
     * @param metricsPrefix e.g. {@code chainboot.events}
     */
    public BufferedKafkaSender(String name, String bootstrap, int capacity, MeterRegistry registry,
                               String metricsPrefix, Function<T, ProducerRecord<String, byte[]>> toRecord) {
        this(name, SharedProducers.PROCESS, SharedProducers.PROCESS.acquire(bootstrap), capacity, registry, metricsPrefix,
                toRecord);
    }

    /** On a producer of its own (tests), closed with the sender. */
    BufferedKafkaSender(String name, Producer<String, byte[]> producer, int capacity, MeterRegistry registry,
                        String metricsPrefix, Function<T, ProducerRecord<String, byte[]>> toRecord) {
        this(name, null, producer, capacity, registry, metricsPrefix, toRecord);
    }

    BufferedKafkaSender(String name, SharedProducers shared, Producer<String, byte[]> producer, int capacity,
                        MeterRegistry registry, String metricsPrefix, Function<T, ProducerRecord<String, byte[]>> toRecord) {
        this.buffer = new LinkedBlockingDeque<>(capacity);
        this.toRecord = toRecord;
        this.producer = producer;
        this.releaseProducer = shared == null ? producer::close : timeout -> shared.release(producer, timeout);
        this.published = Counter.builder(metricsPrefix + ".published")
                .description("records sent to Kafka and acknowledged (" + name + ")").register(registry);
        this.dropped = Counter.builder(metricsPrefix + ".dropped")
                .description("records dropped: the buffer was full, or the record could not be encoded (" + name + ")").register(registry);
        this.retried = Counter.builder(metricsPrefix + ".retried")
                .description("records put back in the buffer after a failed send (" + name + ")").register(registry);
        io.micrometer.core.instrument.Gauge.builder(metricsPrefix + ".buffered", buffer, LinkedBlockingDeque::size)
                .description("records waiting in the buffer for Kafka (" + name + ")").register(registry);
        this.sender = new Thread(this::sendLoop, name);
        sender.setDaemon(true);
        sender.start();
    }

    /** The producer {@link SharedProducers} makes for one broker address. */
    static Producer<String, byte[]> newProducer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                // 20 ms: a boot storm's events travel in a few large batches instead of one produce
                // request per handful of events (fewer requests for the broker and for inventory's
                // consumer to fetch); nothing waits on them but the inventory's view, 20 ms later
                ProducerConfig.LINGER_MS_CONFIG, "20",
                // the sender thread, never the boot path, waits for metadata while Kafka is away
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000",
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000",
                ProducerConfig.CLIENT_ID_CONFIG, "chainboot-" + PRODUCERS.incrementAndGet()),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Queues {@code item} for Kafka; never blocks. Returns false (and counts a drop) when the buffer is full. */
    public boolean offer(T item) {
        if (buffer.offerLast(item)) {
            return true;
        }
        dropped.increment();
        LOG.warnf("%s: buffer full (%d), dropped %s", sender.getName(), buffer.size(), item);
        return false;
    }

    /** Items not yet handed to Kafka. */
    public int buffered() {
        return buffer.size();
    }

    private void sendLoop() {
        List<T> batch = new ArrayList<>(MAX_BATCH);
        int emptyRounds = IDLE_ROUNDS;
        while (running) {
            batch.clear();
            if (emptyRounds < IDLE_ROUNDS) {
                // busy: look again after GATHER. An offer into a deque nobody waits on wakes no thread,
                // so under load the boot path pays no hand-off (futex wake) per burst: the DHCP thread
                // spent 4 % of its CPU waking this one at 2,000 DORA/s. The producer lingers 20 ms anyway.
                LockSupport.parkNanos(GATHER_NANOS);
                if (!running) {
                    return;
                }
                inHand = 1; // before the drain: close() must not see an empty buffer and nothing in hand meanwhile
                buffer.drainTo(batch, MAX_BATCH);
                if (batch.isEmpty()) {
                    inHand = 0;
                    emptyRounds++;
                    continue;
                }
            } else {
                // idle for IDLE_ROUNDS × GATHER: block until an item comes (no polling while nothing boots)
                T first;
                try {
                    first = buffer.pollFirst(500, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (first == null) {
                    continue;
                }
                inHand = 1;
                // the first record of a burst woke this thread; the rest of the burst is gathered for
                // GATHER before it is handed over in one pass
                LockSupport.parkNanos(GATHER_NANOS);
                batch.add(first);
                buffer.drainTo(batch, MAX_BATCH - 1);
            }
            emptyRounds = 0;
            inHand = batch.size();
            for (int i = 0; i < batch.size(); i++, inHand--) {
                RuntimeException refused = send(batch.get(i));
                if (refused != null) {
                    // Kafka unreachable: the refused item and what is left of the batch go back to
                    // the head of the buffer, in their order
                    for (int j = batch.size() - 1; j > i; j--) {
                        putBack(batch.get(j));
                    }
                    requeue(batch.get(i), refused);
                    inHand = 0;
                    if (!sleepQuietly(500)) {
                        return;
                    }
                    break;
                }
            }
        }
    }

    /** Hands one item to the producer; the producer's refusal, or null when it took the item (or it could not be encoded). */
    private RuntimeException send(T item) {
        ProducerRecord<String, byte[]> record;
        try {
            record = toRecord.apply(item);
        } catch (RuntimeException e) { // a bug in the caller's mapping: retrying cannot help
            dropped.increment();
            LOG.errorf(e, "%s: cannot encode %s, dropped", sender.getName(), item);
            return null;
        }
        try {
            producer.send(record, (meta, error) -> {
                if (error == null) {
                    published.increment();
                } else {
                    requeue(item, error);
                }
            });
            return null;
        } catch (RuntimeException e) { // metadata timeout while Kafka is down, or producer closed
            return e;
        }
    }

    /** Puts back an item that was drained but not yet sent (not a retry: nothing failed for it). */
    private void putBack(T item) {
        if (!buffer.offerFirst(item)) {
            dropped.increment();
            LOG.warnf("%s: buffer full, dropped %s", sender.getName(), item);
        }
    }

    private void requeue(T item, Throwable error) {
        retried.increment();
        LOG.debugf("%s: send of %s failed, retrying: %s", sender.getName(), item, error.toString());
        if (!buffer.offerFirst(item)) {
            dropped.increment();
            LOG.warnf("%s: buffer full, dropped %s after a failed send", sender.getName(), item);
        }
    }

    private static boolean sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Gives buffered items up to {@code drain} to reach Kafka, then stops the sender and the producer. */
    public void close(Duration drain) {
        long deadline = System.nanoTime() + drain.toNanos();
        while (running && (!buffer.isEmpty() || inHand > 0) && System.nanoTime() < deadline) {
            if (!sleepQuietly(50)) {
                break;
            }
        }
        running = false;
        sender.interrupt();
        releaseProducer.accept(Duration.ofSeconds(3));
        if (!buffer.isEmpty()) {
            LOG.warnf("%s: stopping with %d items not delivered to Kafka", sender.getName(), buffer.size());
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
