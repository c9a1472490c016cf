package io.chainboot.dhcp.ha;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LivenessTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final HaSettings S = new HaSettings(2, 0, Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(1),
            Duration.ofSeconds(5));

    @Test
    void aPeerNeverHeardIsDownAndAHeartbeatKeepsItUpForPartnerDownAfter() {
        Liveness l = new Liveness(S);
        assertThat(l.down(1, T0)).isTrue();
        assertThat(l.down(0, T0)).as("never itself").isFalse();
        l.heard(1, T0, T0);
        assertThat(l.down(1, T0.plusSeconds(9))).isFalse();
        assertThat(l.down(1, T0.plusSeconds(10))).isTrue();
        assertThat(l.downCount(T0.plusSeconds(10))).isEqualTo(1);
    }

    @Test
    void anOldHeartbeatReplayedAtStartProvesNothing() {
        Liveness l = new Liveness(S);
        l.heard(1, T0.minusSeconds(30), T0); // read now, sent half a minute ago
        assertThat(l.down(1, T0)).isTrue();
        l.heard(1, T0.plusSeconds(5), T0); // a clock ahead counts from the arrival
        assertThat(l.down(1, T0.plusSeconds(9))).isFalse();
        assertThat(l.down(1, T0.plusSeconds(10))).isTrue();
    }

    @Test
    void theViewIsCurrentForViewStaleAfterAfterCatchingUp() {
        Liveness l = new Liveness(S);
        assertThat(l.loaded()).isFalse();
        assertThat(l.viewCurrent(T0)).isFalse();
        l.caughtUp(T0);
        assertThat(l.loaded()).isTrue();
        assertThat(l.viewCurrent(T0.plusSeconds(5))).isTrue();
        assertThat(l.viewCurrent(T0.plusSeconds(6))).isFalse();
        l.caughtUp(T0.minusSeconds(1)); // an older fetch does not move it back
        assertThat(l.viewCurrent(T0.plusSeconds(5))).isTrue();
    }

    @Test
    void settingsAreCheckedWithTheKeyInTheMessage() {
        assertThatThrownBy(() -> new HaSettings(2, 2, Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(5))).hasMessageContaining("chainboot.dhcp.ha.index");
        assertThatThrownBy(() -> new HaSettings(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(5))).hasMessageContaining("chainboot.dhcp.ha.instances");
        assertThatThrownBy(() -> new HaSettings(2, 0, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(5))).hasMessageContaining("view-stale-after").hasMessageContaining("mclt");
        assertThatThrownBy(() -> new HaSettings(2, 0, Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(5))).hasMessageContaining("heartbeat");
        assertThatThrownBy(() -> new HaSettings(2, 0, Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(5))).hasMessageContaining("chainboot.dhcp.ha.mclt");
    }

    @Test
    void heartbeatRoundTripsAndBadValuesAreValuesNotExceptions() {
        Heartbeat h = new Heartbeat(1, Instant.ofEpochMilli(1234567), "dhcp b");
        assertThat(Heartbeat.decode(h.encode()).orElseThrow()).isEqualTo(h);
        assertThat(h.key()).isEqualTo("dhcp-1");
        assertThat(Heartbeat.decode(null).isValid()).isFalse();
        assertThat(Heartbeat.decode("x y z".getBytes()).isValid()).isFalse();
        assertThat(Heartbeat.decode("1".getBytes()).isValid()).isFalse();
    }
}
