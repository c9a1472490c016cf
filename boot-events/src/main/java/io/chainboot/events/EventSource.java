package io.chainboot.events;

import java.util.Objects;

/** Who published an event: a service name and the instance of it (host name, pod name…). */
public record EventSource(String service, String instance) {
    public EventSource {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(instance, "instance");
    }

    @Override
    public String toString() {
        return service + "@" + instance;
    }
}
