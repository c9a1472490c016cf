package io.chainboot.events;

import java.time.Instant;
import java.util.UUID;

/** Lifecycle of a machine's disk, published by iscsi-service. */
public final class DiskEvents {
    private DiskEvents() {
    }

    public record Created(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                          String targetIqn, DiskKind kind, String image, long sizeBytes) implements BootEvent {
    }

    /** An overlay was reset to its golden image. */
    public record Reset(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                        String targetIqn, String image) implements BootEvent {
    }

    /** An overlay was promoted to a new golden image {@code newImage}. */
    public record Promoted(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                           String targetIqn, String newImage) implements BootEvent {
    }
}
