package io.chainboot.dhcp.server;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The DHCP server's meters are named {@code chainboot.dhcp.*} and each has a description (Prometheus HELP; docs/metrics.md). */
class DhcpMetricsTest {
    @Test
    void everyMeterIsNamedForTheServiceAndDescribed() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DhcpMetrics metrics = new DhcpMetrics(registry);
        metrics.received("DISCOVER");
        metrics.sent("OFFER");
        assertThat(registry.getMeters()).hasSizeGreaterThanOrEqualTo(8);
        for (Meter m : registry.getMeters()) {
            assertThat(m.getId().getName()).startsWith("chainboot.dhcp.");
            assertThat(m.getId().getDescription()).as(m.getId().getName()).isNotBlank();
        }
    }
}
