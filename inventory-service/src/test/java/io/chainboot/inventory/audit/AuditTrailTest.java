package io.chainboot.inventory.audit;

import io.chainboot.infra.testing.KafkaResource;
import io.chainboot.infra.testing.PostgresResource;
import io.chainboot.inventory.UpstreamFake;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * The audit trail against real PostgreSQL: each write through the entry point — a machine's
 * create/patch/delete, a token's creation, a forwarded disk reset — is one row with the caller's
 * token name and role, method, path, entity and status; a viewer's refused write is one
 * {@code refused} row and changes nothing; a write without a valid token is no row at all.
 * {@code GET /api/audit} needs a token (a viewer's is enough), filters by entity and time, pages.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(UpstreamFake.class)
class AuditTrailTest {
    static RequestSpecification as(String token) {
        return given().auth().oauth2(token);
    }

    static String token(String name, String role) {
        return as("test-token").contentType(ContentType.JSON).body("{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}")
                .post("/api/tokens").then().statusCode(201).extract().path("token");
    }

    static List<Map<String, Object>> entries(String entity) {
        return as("test-token").queryParam("entity", entity).queryParam("limit", 500).get("/api/audit")
                .then().statusCode(200).extract().jsonPath().getList("entries");
    }

    @Test
    void eachWriteIsOneEntryWithItsCallerAndARefusedOneIsRecordedAsRefused() {
        String admin = token("audit admin", "admin");
        String viewer = token("audit viewer", "viewer");
        String mac = "52:54:00:a0:d1:01";

        as(admin).contentType(ContentType.JSON).body("{\"mac\":\"" + mac + "\",\"hostname\":\"audited\"}").post("/api/machines")
                .then().statusCode(201);
        List<Map<String, Object>> created = entries("machine:" + mac);
        assertThat(created).hasSize(1);
        Map<String, Object> e = created.get(0);
        assertThat(e).containsEntry("tokenName", "audit admin").containsEntry("role", "admin").containsEntry("method", "POST")
                .containsEntry("path", "/api/machines").containsEntry("entity", "machine:" + mac).containsEntry("status", 201)
                .containsEntry("outcome", "done");
        assertThat((String) e.get("tokenId")).startsWith("tok_");
        assertThat(Instant.parse((String) e.get("at"))).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(5));

        // a viewer's write: refused 403, recorded once as refused, nothing changed
        as(viewer).contentType("application/merge-patch+json").body("{\"hostname\":\"by-viewer\"}").patch("/api/machines/" + mac)
                .then().statusCode(403);
        // no token, or a wrong one: 401, not recorded
        given().contentType("application/merge-patch+json").body("{\"hostname\":\"anon\"}").patch("/api/machines/" + mac)
                .then().statusCode(401);
        as("not-a-token").delete("/api/machines/" + mac).then().statusCode(401);
        // an admin's bad field: 400, recorded as refused
        as(admin).contentType("application/merge-patch+json").body("{\"hostnme\":\"typo\"}").patch("/api/machines/" + mac)
                .then().statusCode(400);
        as(admin).contentType("application/merge-patch+json").body("{\"hostname\":\"renamed\"}").patch("/api/machines/" + mac)
                .then().statusCode(200);
        as(admin).get("/api/machines/" + mac).then().body("hostname", equalTo("renamed"));
        as(admin).delete("/api/machines/" + mac).then().statusCode(204);

        List<Map<String, Object>> all = entries("machine:" + mac);
        assertThat(all).extracting(m -> m.get("method") + " " + m.get("status") + " " + m.get("outcome") + " " + m.get("tokenName"))
                .containsExactly(   // newest first
                        "DELETE 204 done audit admin",
                        "PATCH 200 done audit admin",
                        "PATCH 400 refused audit admin",
                        "PATCH 403 refused audit viewer",
                        "POST 201 done audit admin");
        assertThat(all.get(3)).containsEntry("role", "viewer");

        // a token's creation names the token it created; a forwarded write names its disk
        List<String> before = ids(entries("token"));
        String id = as(admin).contentType(ContentType.JSON).body("{\"name\":\"made by audit\",\"role\":\"viewer\"}").post("/api/tokens")
                .then().statusCode(201).extract().path("id");
        assertThat(entries("token:" + id)).singleElement().satisfies(t -> assertThat(t).containsEntry("method", "POST")
                .containsEntry("tokenName", "audit admin").containsEntry("status", 201));
        assertThat(ids(entries("token"))).hasSize(before.size() + 1);
        as(admin).post("/api/disks/52-54-00-A0-D1-02/reset").then().statusCode(200);
        assertThat(entries("disk:52:54:00:a0:d1:02")).singleElement().satisfies(d -> assertThat(d)
                .containsEntry("path", "/api/disks/52-54-00-A0-D1-02/reset").containsEntry("status", 200)
                .containsEntry("tokenName", "audit admin").containsEntry("outcome", "done"));
        as(admin).post("/api/images/win13?path=win13.raw").then().statusCode(200);
        assertThat(entries("image:win13")).singleElement().satisfies(d -> assertThat(d).containsEntry("path", "/api/images/win13?path=win13.raw"));
    }

    @Test
    void theTrailNeedsATokenFiltersAndPages() {
        String viewer = token("audit reader", "viewer");
        given().get("/api/audit").then().statusCode(401).contentType("application/problem+json");
        for (int i = 0; i < 5; i++) {
            as("test-token").contentType(ContentType.JSON).body("{\"mac\":\"52:54:00:a0:d2:0" + i + "\"}").post("/api/machines")
                    .then().statusCode(201);
        }
        JsonPath first = as(viewer).queryParam("entity", "machine").queryParam("limit", 2).get("/api/audit")
                .then().statusCode(200).extract().jsonPath();
        assertThat(first.getList("entries")).hasSize(2);
        String next = first.getString("next");
        assertThat(next).contains("before=").contains("limit=2").contains("entity=machine");
        JsonPath second = as(viewer).get(next).then().statusCode(200).extract().jsonPath();
        List<Long> a = first.getList("entries.id", Long.class);
        List<Long> b = second.getList("entries.id", Long.class);
        assertThat(b).hasSize(2).allMatch(x -> x < a.get(1));
        assertThat(first.getList("entries.entityKind")).containsOnly("machine");

        assertThat(as(viewer).queryParam("since", Instant.now().plusSeconds(3600).toString()).get("/api/audit")
                .then().statusCode(200).extract().jsonPath().getList("entries")).isEmpty();
        as(viewer).queryParam("since", "yesterday").get("/api/audit").then().statusCode(400).body("field", equalTo("since"));
        as(viewer).queryParam("entity", "printer").get("/api/audit").then().statusCode(400).body("field", equalTo("entity"));
        as(viewer).queryParam("limit", 0).get("/api/audit").then().statusCode(400).body("field", equalTo("limit"));
        as(viewer).queryParam("by", "test-token-nobody").get("/api/audit").then().statusCode(200).body("entries.size()", equalTo(0));
        assertThat(as(viewer).queryParam("by", "bootstrap").queryParam("entity", "machine:52:54:00:a0:d2:03").get("/api/audit")
                .then().extract().jsonPath().getList("entries")).hasSize(1);
        for (int i = 0; i < 5; i++) {
            as("test-token").delete("/api/machines/52:54:00:a0:d2:0" + i).then().statusCode(204);
        }
    }

    static List<String> ids(List<Map<String, Object>> entries) {
        List<String> out = new ArrayList<>();
        entries.forEach(e -> out.add(String.valueOf(e.get("id"))));
        return out;
    }
}
