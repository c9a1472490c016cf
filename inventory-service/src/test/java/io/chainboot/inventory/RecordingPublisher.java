package io.chainboot.inventory;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.events.BootEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what inventory publishes (machine.registered, boot.stalled) instead of sending it. */
@Alternative
@Priority(1)
@ApplicationScoped
public class RecordingPublisher implements BootEventPublisher {
    private final List<BootEvent> published = new CopyOnWriteArrayList<>();

    /** A method, not the field: tests hold a client proxy, whose fields are not the bean's. */
    public List<BootEvent> events() {
        return published;
    }

    @Override
    public void publish(BootEvent event) {
        published.add(event);
    }
}
