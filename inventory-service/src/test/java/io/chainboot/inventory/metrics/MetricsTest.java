package io.chainboot.inventory.metrics;

import io.chainboot.common.testing.Eventually;
import io.chainboot.events.BootEvent;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.infra.testing.KafkaResource;
import io.chainboot.infra.testing.PostgresResource;
import io.chainboot.inventory.Events;
import io.chainboot.inventory.KafkaClients;
import io.chainboot.inventory.UpstreamFake;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /q/metrics} of a running inventory (real Kafka, real PostgreSQL): after a full boot
 * produced to the broker, the boot-duration histogram has the boot under its profile with the
 * right sum, the per-stage gauge counts the machine at OS_RUNNING, and every {@code chainboot_}
 * metric family has HELP text.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(UpstreamFake.class)
class MetricsTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    /** The value of one series; label sets are written without the trailing comma the 0.0.4 text format may add. */
    static double value(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics.replace(",} ", "} "));
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void aBootShowsInTheHistogramAndTheStageGaugeAndEveryMetricHasHelp() throws Exception {
        MacAddress mac = new MacAddress(0x5254_00DE_0001L);
        Instant t0 = Instant.now().minusSeconds(60);
        List<BootEvent> boot = Events.fullBoot(mac, Ipv4Address.parse("10.3.0.2"), t0, "metrics-profile");
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrap)) {
            KafkaClients.send(producer, boot);
        }
        Eventually.until(() -> "OS_RUNNING".equals(given().get("/api/machines/" + mac).path("stage")), mac + " at OS_RUNNING",
                Duration.ofSeconds(60));
        Long bootMillis = given().get("/api/machines/" + mac).then().statusCode(200).extract().jsonPath().getLong("bootMillis");
        assertThat(bootMillis).isNotNull().isPositive();
        given().auth().oauth2("test-token").contentType("application/json").body("{\"mac\":\"52:54:00:de:00:02\"}")
                .post("/api/machines").then().statusCode(201);

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "inventory-metrics.txt"), metrics); // for reading after a failure
        String h = "chainboot_inventory_boot_duration_seconds";
        assertThat(value(metrics, h + "_count{profile=\"metrics-profile\"}")).isEqualTo(1.0);
        assertThat(value(metrics, h + "_sum{profile=\"metrics-profile\"}")).isCloseTo(bootMillis / 1000.0,
                org.assertj.core.data.Offset.offset(0.001));
        assertThat(value(metrics, h + "_bucket{profile=\"metrics-profile\",le=\"+Inf\"}")).isEqualTo(1.0);
        double seconds = bootMillis / 1000.0;
        for (double b : FleetMetrics.BUCKETS) {
            assertThat(value(metrics, h + "_bucket{profile=\"metrics-profile\",le=\"" + io.prometheus.client.Collector.doubleToGoString(b) + "\"}"))
                    .as("bucket le=%s for a %s s boot", b, seconds).isEqualTo(seconds <= b ? 1.0 : 0.0);
        }
        assertThat(value(metrics, "chainboot_inventory_machines{stage=\"OS_RUNNING\"}")).isGreaterThanOrEqualTo(1.0);
        assertThat(value(metrics, "chainboot_inventory_machines{stage=\"NONE\"}")).as("the machine created by the API")
                .isGreaterThanOrEqualTo(1.0);
        assertThat(value(metrics, "chainboot_inventory_events_stored_total")).isGreaterThanOrEqualTo(boot.size());
        assertThat(value(metrics, "chainboot_inventory_audit_recorded_total")).isGreaterThanOrEqualTo(1.0);
        assertThat(value(metrics, "chainboot_inventory_api_unauthorized_total")).as("registered from the start").isGreaterThanOrEqualTo(0.0);
        assertThat(value(metrics, "chainboot_inventory_audit_failed_total")).isEqualTo(0.0);

        List<String> withoutHelp = new ArrayList<>();
        Matcher type = Pattern.compile("^# TYPE (chainboot_\\S+) \\S+$", Pattern.MULTILINE).matcher(metrics);
        int families = 0;
        while (type.find()) {
            families++;
            Matcher help = Pattern.compile("^# HELP " + Pattern.quote(type.group(1)) + " (.+)$", Pattern.MULTILINE).matcher(metrics);
            if (!help.find() || help.group(1).isBlank() || help.group(1).trim().equals(type.group(1))) {
                withoutHelp.add(type.group(1));
            }
        }
        assertThat(families).as("chainboot_ metric families").isGreaterThanOrEqualTo(10);
        assertThat(withoutHelp).as("chainboot_ metrics without HELP text").isEmpty();
        given().auth().oauth2("test-token").delete("/api/machines/52:54:00:de:00:02").then().statusCode(204);
    }
}
