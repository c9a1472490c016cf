package io.chainboot.iscsi;

import io.chainboot.common.testing.Eventually;
import io.chainboot.common.testing.RecordingPublisher;
import io.chainboot.events.BootEvent;
import io.chainboot.events.IscsiEvents;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

/**
 * The start-up warm-up on a service of its own (so nothing else has logged in yet): it ran every
 * round before readiness turned UP, and left no trace — no event, no session, no count in the metrics —
 * until a real initiator logs in, which then counts as the first.
 */
@QuarkusTest
@TestProfile(WarmupServiceTest.Profile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WarmupServiceTest {
    /** The shipped warm-up (default rounds), one static target; a distinct profile = a fresh service. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return new IscsiTestProfile().getConfigOverrides();
        }
    }

    @Inject
    IscsiService service;
    @Inject
    RecordingPublisher events;

    private static void awaitStarted(IscsiService service) throws InterruptedException {
        Eventually.until(() -> service.startup() != null, "the portal accepts initiators", Duration.ofSeconds(30));
    }

    @Test
    @Order(1)
    void theWarmUpRanBeforeReadinessAndLeftNoTrace() throws Exception {
        awaitStarted(service);
        IscsiService.Startup s = service.startup();
        assertThat(s.warmup().failure()).isNull();
        assertThat(s.warmup().rounds()).isEqualTo(10);
        assertThat(s.readyDuringWarmup()).as("readiness still DOWN when the warm-up ended").isFalse();
        RestAssured.given().get("/q/health/ready").then().statusCode(200).body(containsString("bound /127.0.0.1:"));

        assertThat(events.of(BootEvent.class)).as("the warm-up publishes nothing").isEmpty();
        assertThat(service.sessions().all()).isEmpty();
        RestAssured.given().get("/iscsi/sessions").then().statusCode(200).body(org.hamcrest.Matchers.equalTo("[]"));
        String metrics = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metric(metrics, "chainboot_iscsi_logins_total")).isZero();
        assertThat(metric(metrics, "chainboot_iscsi_bytes_read_total")).isZero();
        assertThat(metric(metrics, "chainboot_iscsi_bytes_written_total")).isZero();
        assertThat(metric(metrics, "chainboot_iscsi_sessions")).isZero();
        assertThat(service.openTargets()).as("only the configured targets, opened before readiness")
                .containsExactlyInAnyOrder(IscsiTestProfile.OPEN, IscsiTestProfile.GUARDED, IscsiTestProfile.SUITE);
    }

    @Test
    @Order(2)
    void aRealLoginAfterItIsTheFirstToCount() throws Exception {
        awaitStarted(service);
        Tools.Result inq = Tools.run(30, "iscsi-inq",
                "iscsi://127.0.0.1:" + service.address().getPort() + "/" + IscsiTestProfile.OPEN + "/0");
        assertThat(inq.exit()).as(inq.output()).isZero();
        Eventually.until(() -> !events.of(IscsiEvents.Logout.class).isEmpty(), "iscsi.logout of iscsi-inq's session");
        assertThat(events.of(IscsiEvents.Login.class)).hasSize(1);
        String metrics = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metric(metrics, "chainboot_iscsi_logins_total")).isEqualTo(1.0);
    }

    /** The value of an untagged (or single-series) Prometheus metric. */
    static double metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no metric " + name + " in\n" + text);
    }
}
