package io.chainboot.dhcp.server;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ids of the events this service publishes: consumers are idempotent on them, so what matters is
 * that no two events share one. {@link UUID#randomUUID()} costs a synchronized SecureRandom draw
 * (a SHA-1 mix under C1) per event — 13 % of the DHCP receive thread's Java time at 2,000 DORA/s.
 * Here the high 64 bits are drawn once per process from SecureRandom and the low 62 bits count,
 * so ids are unique within a process by construction and across processes (restarts, HA
 * instances) by the 60 random bits. Version 4 and the RFC 9562 variant bits are set, so they parse
 * and print like any random UUID.
 */
public final class EventIds {
    private static final long HIGH = (new SecureRandom().nextLong() & ~0xF000L) | 0x4000L; // version 4
    private static final AtomicLong COUNTER = new AtomicLong(new SecureRandom().nextLong() & 0x3FFF_FFFFL);

    private EventIds() {
    }

    public static UUID next() {
        long low = (COUNTER.getAndIncrement() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L; // variant 10
        return new UUID(HIGH, low);
    }
}
