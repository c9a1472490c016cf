package io.chainboot.common;

import io.chainboot.events.BootEvent;
import io.chainboot.events.EventJson;
import io.chainboot.events.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.DefaultBean;
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
import java.util.Map;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link BootEventPublisher} on the plain Kafka producer. The caller only enqueues into a bounded
 * deque; one sender thread hands events to the producer. While Kafka is unreachable the sender
 * waits (the producer blocks it, not the caller) and events accumulate; a send that fails is put
 * back at the head, so nothing is lost while the buffer has room, and order per machine is kept.
 */
@ApplicationScoped
@DefaultBean
public class KafkaBootEventPublisher implements BootEventPublisher {
    private static final Logger LOG = Logger.getLogger(KafkaBootEventPublisher.class);

    private final LinkedBlockingDeque<BootEvent> buffer;
    private final String bootstrap;
    private final boolean enabled;
    private final Counter published;
    private final Counter dropped;
    private final Counter retried;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile KafkaProducer<String, byte[]> producer;
    private Thread sender;

    public KafkaBootEventPublisher(CommonConfig config, MeterRegistry registry,
                                   @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.buffer = new LinkedBlockingDeque<>(config.eventBuffer());
        this.bootstrap = bootstrap;
        this.enabled = config.kafkaEnabled();
        this.published = registry.counter("chainboot.events.published");
        this.dropped = registry.counter("chainboot.events.dropped");
        this.retried = registry.counter("chainboot.events.retried");
        registry.gauge("chainboot.events.buffered", buffer, LinkedBlockingDeque::size);
    }

    void start(@Observes StartupEvent ev) {
        if (!enabled || !running.compareAndSet(false, true)) {
            return;
        }
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "2",
                // the sender thread, never the boot path, waits for metadata while Kafka is away
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000",
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000",
                ProducerConfig.CLIENT_ID_CONFIG, "chainboot-events"),
                new StringSerializer(), new ByteArraySerializer());
        sender = new Thread(this::sendLoop, "boot-event-sender");
        sender.setDaemon(true);
        sender.start();
    }

    @Override
    public void publish(BootEvent event) {
        if (!enabled) { // Kafka switched off (unit tests, benchmarks): nothing will ever drain the buffer
            return;
        }
        if (!buffer.offerLast(event)) {
            dropped.increment();
            LOG.warnf("event buffer full (%d): dropped %s for %s", buffer.size(), event.type(), event.key());
        }
    }

    /** Events waiting to be handed to Kafka. */
    public int buffered() {
        return buffer.size();
    }

    private void sendLoop() {
        while (running.get()) {
            BootEvent event;
            try {
                event = buffer.pollFirst(500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (event == null) {
                continue;
            }
            try {
                producer.send(new ProducerRecord<>(Topics.BOOT_EVENTS, event.key(), EventJson.encode(event)),
                        (meta, error) -> {
                            if (error == null) {
                                published.increment();
                            } else {
                                requeue(event, error);
                            }
                        });
            } catch (RuntimeException e) { // metadata timeout while Kafka is down, or producer closed
                requeue(event, e);
                sleepQuietly(500);
            }
        }
    }

    private void requeue(BootEvent event, Throwable error) {
        retried.increment();
        LOG.debugf("publish of %s for %s failed, retrying: %s", event.type(), event.key(), error.toString());
        if (!buffer.offerFirst(event)) {
            dropped.increment();
            LOG.warnf("event buffer full: dropped %s for %s after a failed send", event.type(), event.key());
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** On shutdown, give buffered events a few seconds to reach Kafka. */
    void stop(@Observes ShutdownEvent ev) {
        if (!running.get()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!buffer.isEmpty() && System.nanoTime() < deadline) {
            sleepQuietly(50);
        }
        running.set(false);
        if (sender != null) {
            sender.interrupt();
        }
        producer.close(Duration.ofSeconds(3));
        if (!buffer.isEmpty()) {
            LOG.warnf("stopping with %d events not delivered to Kafka", buffer.size());
        }
    }
}
