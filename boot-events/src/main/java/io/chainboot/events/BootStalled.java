package io.chainboot.events;

import java.time.Instant;
import java.util.UUID;

/**
 * Published by inventory-service: a boot attempt made no progress past {@code stage} for longer
 * than {@code thresholdSeconds} since {@code stageSince}.
 */
public record BootStalled(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                          BootStage stage, Instant stageSince, long thresholdSeconds, String attemptId)
        implements BootEvent {
}
