package io.chainboot.inventory.ingest;

import io.chainboot.common.testing.Eventually;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;

/** The start-up warm-up runs every round through the real store and leaves nothing behind. */
@QuarkusTest
@io.quarkus.test.common.WithTestResource(io.chainboot.infra.testing.KafkaResource.class)
@io.quarkus.test.common.WithTestResource(io.chainboot.infra.testing.PostgresResource.class)
// the same resources as every other @QuarkusTest here (see HealthEndpointsTest)
@io.quarkus.test.common.WithTestResource(io.chainboot.inventory.UpstreamFake.class)
class IngestWarmupTest {
    @Inject
    @org.eclipse.microprofile.health.Readiness
    IngestWarmup warmup;
    @Inject
    EntityManager em;

    @Test
    void everyRoundIsStoredAndRolledBackAndReadinessWaitsForIt() throws InterruptedException {
        Eventually.until(warmup::done, "the ingest warm-up ends", Duration.ofSeconds(120));
        assertThat(warmup.target()).as("the default number of rounds").isEqualTo(10);
        assertThat(warmup.rounds()).as("every round ran through EventStore.ingest without an error")
                .isEqualTo(warmup.target());
        given().get("/q/health/ready").then().body("checks.find { it.name == 'ingest-warm-up' }.status", is("UP"));

        String mac = IngestWarmup.MACHINE.toString();
        QuarkusTransaction.requiringNew().run(() -> {
            assertThat(count("select count(*) from boot_event where mac = ?1 or source like '%warm-up%' or ip = '192.0.2.1'", mac))
                    .as("no warm-up event stored").isZero();
            assertThat(count("select count(*) from machine where mac = ?1", mac)).as("no warm-up machine").isZero();
            assertThat(count("select count(*) from boot_attempt where mac = ?1", mac)).as("no warm-up attempt").isZero();
            assertThat(count("select count(*) from lease_seen where mac = ?1", mac)).as("no warm-up lease").isZero();
            assertThat(count("select count(*) from outbox where msg_key like ?1", "%" + mac + "%"))
                    .as("no warm-up spec or event queued for Kafka").isZero();
        });
    }

    private long count(String sql, String arg) {
        return ((Number) em.createNativeQuery(sql).setParameter(1, arg).getSingleResult()).longValue();
    }
}
