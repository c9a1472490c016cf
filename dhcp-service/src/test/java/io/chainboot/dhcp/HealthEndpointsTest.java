package io.chainboot.dhcp;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** Liveness is trivial and metrics are Prometheus text (named chainboot_<service>_…, with HELP), with Kafka switched off for this test. */
@QuarkusTest
class HealthEndpointsTest {
    @Test
    void livenessIsUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    }

    @Test
    void metricsArePrometheusText() {
        String scrape = given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes")).extract().asString();
        // docs/metrics.md: chainboot_<service>_<what>, each with HELP text
        org.assertj.core.api.Assertions.assertThat(io.chainboot.common.testing.MetricsText.families(scrape))
                .noneMatch(f -> f.startsWith("dhcp_")); // the server's meters: DhcpMetricsTest
        org.assertj.core.api.Assertions.assertThat(io.chainboot.common.testing.MetricsText.chainbootFamiliesWithoutHelp(scrape))
                .as("chainboot_ metrics without HELP").isEmpty();
    }
}
