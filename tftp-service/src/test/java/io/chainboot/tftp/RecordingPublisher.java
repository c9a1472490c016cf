package io.chainboot.tftp;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.events.BootEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every published event, in order, for assertions. */
@Alternative
@Priority(1)
@ApplicationScoped
public class RecordingPublisher implements BootEventPublisher {
    private final List<BootEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void publish(BootEvent event) {
        events.add(event);
    }

    public List<BootEvent> events() {
        return new ArrayList<>(events);
    }

    public <T extends BootEvent> List<T> of(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (BootEvent e : events) {
            if (type.isInstance(e)) {
                out.add(type.cast(e));
            }
        }
        return out;
    }

    public void clear() {
        events.clear();
    }
}
