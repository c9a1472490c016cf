package io.chainboot.dhcp.kafka;

import io.chainboot.dhcp.server.LeaseSink;
import io.chainboot.dhcp.server.Reply;
import io.chainboot.events.EventJson;
import io.chainboot.events.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the lease table to the compacted {@link Topics#LEASES} topic: key = IP, value =
 * {@link EventJson#encode(io.chainboot.events.Lease)}, a tombstone (null value) when a lease is
 * released, declined or expires. Same shape as service-common's KafkaBootEventPublisher: the DHCP
 * thread only enqueues into a bounded deque; one sender thread feeds the producer and puts a failed
 * send back at the head. A change that does not fit is dropped and counted (the next full
 * re-publish on start repairs the compacted topic).
 */
public final class KafkaLeasePublisher implements LeaseSink, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaLeasePublisher.class);

    private final LinkedBlockingDeque<Reply.LeaseChange> buffer;
    private final KafkaProducer<String, byte[]> producer;
    private final Counter published;
    private final Counter dropped;
    private final Thread sender;
    private volatile boolean running = true;

    public KafkaLeasePublisher(String bootstrap, int capacity, MeterRegistry registry) {
        this.buffer = new LinkedBlockingDeque<>(capacity);
        this.published = registry.counter("chainboot.dhcp.leases.published");
        this.dropped = registry.counter("chainboot.dhcp.leases.dropped");
        registry.gauge("chainboot.dhcp.leases.buffered", buffer, LinkedBlockingDeque::size);
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "2",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000",
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000",
                ProducerConfig.CLIENT_ID_CONFIG, "chainboot-dhcp-leases"),
                new StringSerializer(), new ByteArraySerializer());
        this.sender = new Thread(this::sendLoop, "dhcp-lease-publisher");
        sender.setDaemon(true);
        sender.start();
    }

    @Override
    public void accept(Reply.LeaseChange change) {
        if (!buffer.offerLast(change)) {
            dropped.increment();
            LOG.warnf("lease buffer full: dropped %s", change);
        }
    }

    private void sendLoop() {
        while (running) {
            Reply.LeaseChange c;
            try {
                c = buffer.pollFirst(500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (c == null) {
                continue;
            }
            String key;
            byte[] value;
            if (c instanceof Reply.LeaseChange.Put p) {
                key = p.lease().ip().toString();
                value = EventJson.encode(p.lease());
            } else {
                key = ((Reply.LeaseChange.Remove) c).ip().toString();
                value = null;
            }
            try {
                producer.send(new ProducerRecord<>(Topics.LEASES, key, value), (meta, error) -> {
                    if (error == null) {
                        published.increment();
                    } else {
                        requeue(c, error);
                    }
                });
            } catch (RuntimeException e) {
                requeue(c, e);
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void requeue(Reply.LeaseChange c, Throwable error) {
        LOG.debugf("lease publish failed, retrying: %s", error.toString());
        if (!buffer.offerFirst(c)) {
            dropped.increment();
        }
    }

    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!buffer.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                break;
            }
        }
        running = false;
        sender.interrupt();
        producer.close(Duration.ofSeconds(3));
    }
}
