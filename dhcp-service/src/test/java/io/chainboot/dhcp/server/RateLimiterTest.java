package io.chainboot.dhcp.server;

import io.chainboot.events.MacAddress;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-MAC buckets: a bucket in use is kept across sweeps, an idle one goes after 10-20 s, with its limit intact meanwhile. */
class RateLimiterTest {
    private static final long S = 1_000_000_000L;
    private final MacAddress busy = MacAddress.parse("02:00:00:00:00:01");
    private final MacAddress idle = MacAddress.parse("02:00:00:00:00:02");

    @Test
    void sweepsForgetIdleBucketsAndKeepBusyOnesWithTheirState() {
        RateLimiter r = new RateLimiter(1, 0);
        long t = 100 * S;
        r.sweep(t);
        assertThat(r.admit(busy, t)).isEqualTo(RateLimiter.Verdict.ADMIT);
        assertThat(r.admit(idle, t)).isEqualTo(RateLimiter.Verdict.ADMIT);
        assertThat(r.tracked()).isEqualTo(2);
        for (long s = 1; s <= 30; s++) {
            long now = t + s * S;
            r.sweep(now);
            assertThat(r.admit(busy, now)).as("second %d", s).isEqualTo(RateLimiter.Verdict.ADMIT);
        }
        assertThat(r.tracked()).as("the idle MAC forgotten, the busy one kept").isEqualTo(1);
        // a kept bucket keeps its state across a generation change: still limited within the second
        long now = t + 30 * S;
        assertThat(r.admit(busy, now)).isEqualTo(RateLimiter.Verdict.PER_MAC);
        r.sweep(now + 10 * S);
        assertThat(r.tracked()).isEqualTo(1);
    }

    @Test
    void aBucketIdleLessThanTenSecondsIsNotForgotten() {
        RateLimiter r = new RateLimiter(1, 0);
        r.sweep(0);
        r.admit(idle, 9 * S);
        r.sweep(10 * S);
        r.sweep(15 * S);
        assertThat(r.tracked()).isEqualTo(1);
        assertThat(r.admit(idle, 9 * S + S / 2)).as("its state survived the generation change").isEqualTo(RateLimiter.Verdict.PER_MAC);
    }
}
