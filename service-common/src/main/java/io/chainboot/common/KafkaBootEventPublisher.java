package io.chainboot.common;

import io.chainboot.events.BootEvent;
import io.chainboot.events.EventJson;
import io.chainboot.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@link BootEventPublisher} on {@link Topics#BOOT_EVENTS}, keyed by {@link BootEvent#key()}, through a
 * {@link BufferedKafkaSender}: the caller only enqueues; while Kafka is away events wait in the bounded
 * buffer ({@code chainboot.common.event-buffer}), counted as {@code chainboot.events.*}.
 */
@ApplicationScoped
@DefaultBean
public class KafkaBootEventPublisher implements BootEventPublisher {
    /** Null when Kafka is switched off (unit tests, benchmarks): nothing would ever drain a buffer. */
    private final BufferedKafkaSender<BootEvent> sender;

    public KafkaBootEventPublisher(CommonConfig config, MeterRegistry registry,
                                   @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.sender = config.kafkaEnabled()
                ? new BufferedKafkaSender<>("boot-event-sender", bootstrap, config.eventBuffer(), registry,
                        "chainboot.events", KafkaBootEventPublisher::toRecord)
                : null;
    }

    /** Creates the bean, and so connects to Kafka, at start rather than at the first event. */
    void start(@Observes StartupEvent ev) {
    }

    static ProducerRecord<String, byte[]> toRecord(BootEvent event) {
        return new ProducerRecord<>(Topics.BOOT_EVENTS, event.key(), EventJson.encode(event));
    }

    @Override
    public void publish(BootEvent event) {
        if (sender != null) {
            sender.offer(event);
        }
    }

    /** Events waiting to be handed to Kafka. */
    public int buffered() {
        return sender == null ? 0 : sender.buffered();
    }

    /** On shutdown, give buffered events a few seconds to reach Kafka. */
    void stop(@Observes ShutdownEvent ev) {
        if (sender != null) {
            sender.close();
        }
    }
}
