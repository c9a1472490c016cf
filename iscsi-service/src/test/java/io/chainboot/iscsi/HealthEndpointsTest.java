package io.chainboot.iscsi;

import io.chainboot.common.testing.MetricsText;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** Liveness is trivial and metrics are Prometheus text (named chainboot_iscsi_…, with HELP), with Kafka switched off for this test. */
@QuarkusTest
class HealthEndpointsTest {
    @Test
    void livenessIsUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    }

    @Test
    void metricsArePrometheusText() {
        String scrape = given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"))
                .extract().asString();
        // docs/metrics.md: chainboot_<service>_<what>, each with HELP text
        // (a counter's # TYPE line names its family without the _total of its sample)
        assertThat(MetricsText.families(scrape)).contains("chainboot_iscsi_sessions", "chainboot_iscsi_logins",
                "chainboot_iscsi_logins_refused", "chainboot_iscsi_bytes_read", "chainboot_iscsi_bytes_written",
                "chainboot_iscsi_pdus_invalid")
                .noneMatch(f -> f.startsWith("iscsi_"));
        assertThat(MetricsText.chainbootFamiliesWithoutHelp(scrape)).as("chainboot_ metrics without HELP").isEmpty();
    }
}
