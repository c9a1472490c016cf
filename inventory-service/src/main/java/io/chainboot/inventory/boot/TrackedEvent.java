package io.chainboot.inventory.boot;

import io.chainboot.events.BootEvent;

/** A stored event with its arrival sequence (ties in event time are broken by arrival). */
public record TrackedEvent(BootEvent event, long seq) {
}
