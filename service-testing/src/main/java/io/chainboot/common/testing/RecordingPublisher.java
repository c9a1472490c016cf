package io.chainboot.common.testing;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.events.BootEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link BootEventPublisher} that keeps every published event in memory, in order, for assertions.
 * On a service's test classpath ({@code io.chainboot:service-testing}, test scope) it replaces the
 * Kafka-backed publisher in every {@code @QuarkusTest}; plain unit tests can {@code new} it.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class RecordingPublisher implements BootEventPublisher {
    private final List<BootEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void publish(BootEvent event) {
        events.add(event);
    }

    /** A snapshot of everything published so far (tests hold a client proxy: use methods, not fields). */
    public List<BootEvent> events() {
        return List.copyOf(events);
    }

    /** The events of one type, in publishing order. */
    public <T extends BootEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public void clear() {
        events.clear();
    }
}
