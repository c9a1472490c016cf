package io.chainboot.common;

import org.apache.kafka.clients.producer.Producer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One Kafka producer per broker address for every {@link BufferedKafkaSender} of a process, reference
 * counted: dhcp-service's boot events and lease records leave through the same producer, so a DORA's three
 * records share one network thread and one produce request per linger window (instead of two producers,
 * two network threads and two requests to the broker). The producer is closed when its last sender closes.
 */
final class SharedProducers {
    static final SharedProducers PROCESS = new SharedProducers(BufferedKafkaSender::newProducer);

    private final Function<String, Producer<String, byte[]>> factory;
    private final Map<String, Entry> byBootstrap = new HashMap<>();

    private static final class Entry {
        final Producer<String, byte[]> producer;
        int users;

        Entry(Producer<String, byte[]> producer) {
            this.producer = producer;
        }
    }

    SharedProducers(Function<String, Producer<String, byte[]>> factory) {
        this.factory = factory;
    }

    /** The producer for {@code bootstrap}, created on first use; each call needs one {@link #release}. */
    synchronized Producer<String, byte[]> acquire(String bootstrap) {
        Entry e = byBootstrap.computeIfAbsent(bootstrap, b -> new Entry(factory.apply(b)));
        e.users++;
        return e.producer;
    }

    /** One user of {@code producer} is done; the last one closes it (waiting up to {@code timeout} for its records). */
    void release(Producer<String, byte[]> producer, Duration timeout) {
        Producer<String, byte[]> toClose = null;
        synchronized (this) {
            for (var it = byBootstrap.values().iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.producer == producer && --e.users == 0) {
                    it.remove();
                    toClose = producer;
                }
            }
        }
        if (toClose != null) {
            toClose.close(timeout); // outside the lock: close waits for in-flight records
        }
    }
}
