package io.chainboot.common;

import io.chainboot.events.BootEvent;

/**
 * Publishes boot events to {@link io.chainboot.events.Topics#BOOT_EVENTS}. Never blocks and never
 * throws: the boot path calls it inline. When Kafka is unreachable events wait in a bounded buffer;
 * an event that does not fit is dropped, counted and logged — never silently.
 */
public interface BootEventPublisher {
    void publish(BootEvent event);
}
