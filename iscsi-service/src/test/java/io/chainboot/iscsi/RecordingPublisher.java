package io.chainboot.iscsi;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.events.BootEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every published event in memory, for assertions. */
@Alternative
@Priority(1)
@ApplicationScoped
public class RecordingPublisher implements BootEventPublisher {
    private final List<BootEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void publish(BootEvent event) {
        events.add(event);
    }

    public <T extends BootEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
