package io.chainboot.inventory.api;

import io.chainboot.infra.testing.KafkaResource;
import io.chainboot.infra.testing.PostgresResource;
import io.chainboot.inventory.UpstreamFake;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * Machines are checked when they are given: each bad request answers a 4xx problem naming the
 * field and stores nothing (the machine stays absent, or exactly as it was); PATCH changes only
 * the fields it names, PUT replaces the whole spec.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(UpstreamFake.class)
class MachineInputTest {
    static final String MAC = "52:54:00:16:01:01";

    static Response post(String body) {
        return given().auth().oauth2("test-token").contentType(ContentType.JSON).body(body).post("/api/machines");
    }

    static void problem(Response r, int status, String type, String field, String detailPart) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("type")).isEqualTo("urn:chainboot:problem:" + type);
        assertThat(r.jsonPath().getString("field")).isEqualTo(field);
        assertThat(r.jsonPath().getString("detail")).contains(detailPart);
    }

    @Test
    void badSpecsAreRefusedNamingTheFieldAndNothingIsStored() {
        String m = "\"mac\":\"" + MAC + "\"";
        problem(post("{" + m + ",\"profile\":\"sanbot\"}"), 400, "invalid-field", "profile", "no profile 'sanbot'");
        problem(post("{" + m + ",\"disk\":{\"kind\":\"OVERLAY\",\"image\":\"win12\"}}"), 400, "invalid-field", "disk.image",
                "no golden image 'win12'");
        problem(post("{" + m + ",\"disk\":{\"kind\":\"RAW\",\"image\":\"../../etc/passwd\",\"sizeBytes\":512}}"), 400,
                "invalid-field", "disk.image", "not an image name");
        problem(post("{" + m + ",\"disk\":{\"kind\":\"RAW\",\"sizeBytes\":9223372036854775807}}"), 400, "invalid-field",
                "disk.sizeBytes", "16 TiB");
        problem(post("{\"mac\":\"ff:ff:ff:ff:ff:ff\"}"), 400, "invalid-field", "mac", "group address");
        problem(post("{\"mac\":\"01:00:5e:00:00:01\"}"), 400, "invalid-field", "mac", "group address");
        problem(post("{\"mac\":\"not-a-mac\"}"), 400, "invalid-field", "mac", "not a MAC");
        problem(post("{\"hostname\":\"x\"}"), 400, "invalid-field", "mac", "required");
        problem(post("{" + m + ",\"hostname\":\"-bad-\"}"), 400, "invalid-field", "hostname", "invalid hostname");
        problem(post("{" + m + ",\"reservedIp\":\"10.1.0.300\"}"), 400, "invalid-field", "reservedIp", "not an IPv4");
        problem(post("{" + m + ",\"reservedIp\":\"224.0.0.1\"}"), 400, "invalid-field", "reservedIp", "cannot be a host");
        problem(post("{" + m + ",\"profle\":\"local\"}"), 400, "invalid-field", "profle", "unknown field");
        problem(post("{" + m + ",\"disk\":{\"kind\":\"RAW\",\"sizeBytes\":512,\"size\":1}}"), 400, "invalid-field", "size",
                "unknown field");
        problem(post("{" + m + ",\"chap\":{\"enabled\":false,\"mutual\":true}}"), 400, "invalid-field", "chap", "mutual CHAP");
        problem(post("{" + m + ",\"uuid\":\"nope\"}"), 400, "invalid-field", "uuid", "not a UUID");
        problem(post("{" + m + ",\"labels\":{\"a\":\"" + "x".repeat(300) + "\"}}"), 400, "invalid-field", "labels.a", "at most 253");
        StringBuilder big = new StringBuilder("{" + m + ",\"params\":{");
        for (int i = 0; i < 60; i++) {
            big.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"").append("y".repeat(4000)).append('"');
        }
        problem(post(big + "}}"), 413, "too-large", "spec", "limit is 16384");
        problem(post("{" + m + ",\"hostname\":"), 400, "malformed-body", null, "not valid JSON");
        given().get("/api/machines/" + MAC).then().statusCode(404).contentType("application/problem+json");

        // reserved twice: the second machine is refused, the first keeps its address
        post("{\"mac\":\"52:54:00:16:01:02\",\"reservedIp\":\"10.1.0.77\"}").then().statusCode(201);
        problem(post("{" + m + ",\"reservedIp\":\"10.1.0.77\"}"), 400, "invalid-field", "reservedIp",
                "already reserved by 52:54:00:16:01:02");
        given().get("/api/machines/" + MAC).then().statusCode(404);
        given().auth().oauth2("test-token").delete("/api/machines/52:54:00:16:01:02").then().statusCode(204);
    }

    @Test
    void patchChangesOnlyWhatItNamesAndPutReplaces() {
        String full = "{\"mac\":\"52:54:00:16:01:03\",\"hostname\":\"ws03\",\"profile\":\"sanboot\",\"labels\":{\"room\":\"lab\",\"row\":\"2\"},"
                + "\"disk\":{\"kind\":\"OVERLAY\",\"image\":\"win11\"},\"chap\":{\"enabled\":true,\"mutual\":false}}";
        post(full).then().statusCode(201);
        String path = "/api/machines/52:54:00:16:01:03";
        given().auth().oauth2("test-token").contentType("application/merge-patch+json")
                .body("{\"profile\":\"local\",\"labels\":{\"row\":null}}").patch(path).then().statusCode(200)
                .body("profile", equalTo("local")).body("hostname", equalTo("ws03"))
                .body("spec.disk.image", equalTo("win11")).body("spec.chap.enabled", equalTo(true))
                .body("spec.labels.room", equalTo("lab")).body("spec.labels.row", nullValue());
        String before = given().get(path).asString();
        problem(given().auth().oauth2("test-token").contentType(ContentType.JSON).body("{\"profile\":\"nope\"}").patch(path),
                400, "invalid-field", "profile", "no profile 'nope'");
        problem(given().auth().oauth2("test-token").contentType(ContentType.JSON).body("{\"mac\":\"52:54:00:16:01:04\"}").patch(path),
                400, "invalid-field", "mac", "cannot be changed");
        problem(given().auth().oauth2("test-token").contentType(ContentType.JSON).body("{\"colour\":1}").patch(path),
                400, "invalid-field", "colour", "unknown field");
        assertThat(given().get(path).asString()).as("a refused PATCH changed nothing").isEqualTo(before);
        problem(given().auth().oauth2("test-token").contentType(ContentType.JSON).body("{}").patch("/api/machines/52:54:00:16:01:05"),
                404, "not-found", null, "no machine");

        given().auth().oauth2("test-token").contentType(ContentType.JSON).body("{\"profile\":\"local\"}").put(path)
                .then().statusCode(200).body("hostname", nullValue()).body("spec.disk", nullValue())
                .body("spec.chap.enabled", equalTo(false));
        problem(given().auth().oauth2("test-token").contentType(ContentType.JSON).body("{\"mac\":\"52:54:00:16:01:04\"}").put(path),
                400, "invalid-field", "mac", "not the path's");
        given().auth().oauth2("test-token").delete(path).then().statusCode(204);
    }
}
