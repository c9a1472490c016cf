package io.chainboot.inventory;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** Liveness is trivial and metrics are Prometheus text, with Kafka switched off for this test. */
@QuarkusTest
@io.quarkus.test.common.WithTestResource(io.chainboot.infra.testing.KafkaResource.class)
@io.quarkus.test.common.WithTestResource(io.chainboot.infra.testing.PostgresResource.class)
// the same resources as every other @QuarkusTest here: a different set restarts Quarkus on a new class
// loader, the old loader's broker and PostgreSQL handles are collected, and their servers stop
@io.quarkus.test.common.WithTestResource(io.chainboot.inventory.UpstreamFake.class)
class HealthEndpointsTest {
    @Test
    void livenessIsUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    }

    @Test
    void metricsArePrometheusText() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }
}
