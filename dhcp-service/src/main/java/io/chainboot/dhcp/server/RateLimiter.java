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

    private final double perMac;
    private final double global;
    private final Map<MacAddress, double[]> buckets = new HashMap<>();
    private final double[] globalBucket;

    public RateLimiter(double perMacPerSecond, double globalPerSecond) {
        this.perMac = perMacPerSecond;
        this.global = globalPerSecond;
        this.globalBucket = new double[] {Math.max(1, global), 0};
    }

    public synchronized Verdict admit(MacAddress mac, long nanoTime) {
        if (perMac > 0) {
            double[] b = buckets.computeIfAbsent(mac, m -> new double[] {Math.max(1, perMac), nanoTime});
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

    /** Forgets MACs whose bucket has been full for a while (bounded memory in a storm of random MACs). */
    public synchronized void sweep(long nanoTime) {
        buckets.values().removeIf(b -> nanoTime - (long) b[1] > 10_000_000_000L);
    }

    public synchronized int tracked() {
        return buckets.size();
    }
}
