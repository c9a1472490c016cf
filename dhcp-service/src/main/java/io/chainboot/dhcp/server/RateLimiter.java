package io.chainboot.dhcp.server;

import io.chainboot.events.MacAddress;

import java.util.HashMap;
import java.util.Map;

/**
 * Boot-storm admission: a token bucket per MAC and one global bucket (burst = one second's worth).
 * A rate of 0 or less disables that limit. Thread-safe.
 */
public final class RateLimiter {
    /** Why a request was not admitted, or null. */
    public enum Verdict { ADMIT, PER_MAC, GLOBAL }

    /** A bucket untouched this long is forgotten (it would be full again by then: burst = one second's worth). */
    static final long FORGET_NANOS = 10_000_000_000L;

    private final double perMac;
    private final double global;
    /**
     * Buckets touched since the last generation change, and those touched only in the generation
     * before: {@link #sweep} drops the older generation whole instead of looking at every bucket
     * (in a storm of 60,000 MACs the scan held the lock against the receive thread every 5 s).
     */
    private Map<MacAddress, double[]> buckets = new HashMap<>();
    private Map<MacAddress, double[]> previous = new HashMap<>();
    private long generationStart = Long.MIN_VALUE;
    private final double[] globalBucket;

    public RateLimiter(double perMacPerSecond, double globalPerSecond) {
        this.perMac = perMacPerSecond;
        this.global = globalPerSecond;
        this.globalBucket = new double[] {Math.max(1, global), 0};
    }

    public synchronized Verdict admit(MacAddress mac, long nanoTime) {
        if (perMac > 0) {
            double[] b = buckets.get(mac);
            if (b == null) {
                b = previous.remove(mac);
                if (b == null) {
                    b = new double[] {Math.max(1, perMac), nanoTime};
                }
                buckets.put(mac, b);
            }
            if (!take(b, perMac, nanoTime)) {
                return Verdict.PER_MAC;
            }
        }
        if (global > 0 && !take(globalBucket, global, nanoTime)) {
            return Verdict.GLOBAL;
        }
        return Verdict.ADMIT;
    }

    private static boolean take(double[] b, double rate, long now) {
        double burst = Math.max(1, rate);
        double elapsed = Math.max(0, now - (long) b[1]) / 1e9;
        b[0] = Math.min(burst, b[0] + elapsed * rate);
        b[1] = now;
        if (b[0] >= 1) {
            b[0] -= 1;
            return true;
        }
        return false;
    }

    /**
     * Forgets MACs whose bucket has been idle for a while (bounded memory in a storm of random MACs):
     * every {@link #FORGET_NANOS} the buckets not touched during the last generation go, so a bucket
     * idle for 10-20 s is forgotten, in O(1).
     */
    public synchronized void sweep(long nanoTime) {
        if (generationStart == Long.MIN_VALUE) {
            generationStart = nanoTime;
        } else if (nanoTime - generationStart >= FORGET_NANOS) {
            previous = buckets;
            buckets = new HashMap<>();
            generationStart = nanoTime;
        }
    }

    public synchronized int tracked() {
        return buckets.size() + previous.size();
    }
}
