package io.chainboot.inventory.boot;

import io.chainboot.events.BootEvent;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A stored event with its arrival sequence. A machine's events are folded in ({@link #time},
 * {@code seq}) order — the order of PostgreSQL's {@code (time, seq)}, so the fold and the store's
 * queries agree on every tie.
 */
public record TrackedEvent(BootEvent event, long seq) {

    /** The event's time as the store keeps it: to the microsecond, like {@code timestamptz}. */
    public Instant time() {
        return storedTime(event);
    }

    public static Instant storedTime(BootEvent e) {
        return e.time().truncatedTo(ChronoUnit.MICROS);
    }
}
