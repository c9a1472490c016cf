package io.chainboot.inventory.api;

import io.chainboot.common.api.WriteEndpoints;
import io.chainboot.infra.testing.KafkaResource;
import io.chainboot.infra.testing.PostgresResource;
import io.chainboot.inventory.UpstreamFake;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * The entry point's authentication: tokens with roles are created and revoked; every write
 * endpoint — inventory's own (found from its JAX-RS annotations) and every one it forwards to
 * iscsi-service and script-service — refuses no token and a wrong token (401) and a viewer
 * token (403) with a problem body, and nothing changes: no machine, no token, no request reaches
 * the services behind.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(UpstreamFake.class)
class EntryPointAuthTest {
    static final String MAC = "52:54:00:16:00:01";

    /** The write endpoints of iscsi-service and script-service, as the entry point serves them. */
    static final List<String> FORWARDED_WRITES = List.of(
            "POST /api/images/img?path=img.raw", "PUT /api/images/img", "DELETE /api/images/img",
            "POST /api/disks/" + MAC, "POST /api/disks/" + MAC + "/reset", "POST /api/disks/" + MAC + "/snapshots/s",
            "POST /api/disks/" + MAC + "/snapshots/s/restore", "DELETE /api/disks/" + MAC + "/snapshots/s", "POST /api/disks/" + MAC + "/promote?image=img2",
            "DELETE /api/disks/" + MAC, "POST /api/profiles/reload", "POST /api/profiles/validate",
            "PUT /api/profiles/p", "PATCH /api/profiles/p", "DELETE /api/profiles/p");

    static RequestSpecification as(String token) {
        return given().auth().oauth2(token);
    }

    static String create(String name, String role) {
        return as("test-token").contentType(ContentType.JSON).body("{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}")
                .post("/api/tokens").then().statusCode(201).body("role", equalTo(role)).body("token", notNullValue())
                .extract().path("token");
    }

    @Test
    void tokensAreCreatedWithARoleAndRevoked() {
        String viewer = create("ci viewer", "viewer");
        String admin = create("ops-admin", "admin");
        given().get("/api/tokens").then().statusCode(401).contentType("application/problem+json");
        as(viewer).get("/api/tokens").then().statusCode(403).body("type", equalTo("urn:chainboot:problem:forbidden"));
        as(viewer).contentType(ContentType.JSON).body("{\"name\":\"x\",\"role\":\"admin\"}").post("/api/tokens").then().statusCode(403);
        as(viewer).get("/api/machines").then().statusCode(200);
        as(admin).get("/api/tokens").then().statusCode(200).body("name", hasItem("ci viewer")).body("name", hasItem("ops-admin"))
                .body("token", not(hasItem(notNullValue()))).body(not(org.hamcrest.Matchers.containsString(viewer)));

        as(admin).contentType(ContentType.JSON).body("{\"mac\":\"52:54:00:16:00:09\",\"hostname\":\"by-token\"}")
                .post("/api/machines").then().statusCode(201);
        String id = as(admin).get("/api/tokens").then().extract().path("find { it.name == 'ops-admin' }.id");
        as("test-token").delete("/api/tokens/" + id).then().statusCode(204);
        as(admin).delete("/api/machines/52:54:00:16:00:09").then().statusCode(401)
                .body("type", equalTo("urn:chainboot:problem:unauthorized"));
        as("test-token").get("/api/tokens").then().body("find { it.id == '" + id + "' }.revokedBy", equalTo("bootstrap"))
                .body("find { it.name == 'ci viewer' }.revokedAt", nullValue());
        as("test-token").delete("/api/tokens/tok_nosuch").then().statusCode(404);
        as("test-token").delete("/api/machines/52:54:00:16:00:09").then().statusCode(204);

        as("test-token").contentType(ContentType.JSON).body("{\"name\":\"x\",\"role\":\"root\"}").post("/api/tokens")
                .then().statusCode(400).body("field", equalTo("role"));
        as("test-token").contentType(ContentType.JSON).body("{\"name\":\"../x\",\"role\":\"viewer\"}").post("/api/tokens")
                .then().statusCode(400).body("field", equalTo("name"));
        as("test-token").contentType(ContentType.JSON).body("{\"name\":\"x\",\"role\":\"viewer\",\"expires\":1}").post("/api/tokens")
                .then().statusCode(400).body("field", equalTo("expires"));
    }

    @Test
    void everyWriteEndpointRefusesNoTokenAWrongTokenAndAViewer() {
        String viewer = create("refused viewer", "viewer");
        as("test-token").contentType(ContentType.JSON).body("{\"mac\":\"" + MAC + "\",\"hostname\":\"kept\",\"profile\":\"local\"}")
                .post("/api/machines").then().statusCode(201);
        List<String> writes = new ArrayList<>();
        Map<String, String> values = Map.of("mac", MAC, "id", "tok_x", "area", "images", "rest", "/img", "name", "img");
        for (WriteEndpoints.Endpoint e : WriteEndpoints.declaredIn(MachineResource.class, "io.chainboot.inventory")) {
            writes.add(e.method() + " " + e.path(values));
        }
        assertThat(writes).contains("POST /api/machines", "PUT /api/machines/" + MAC, "PATCH /api/machines/" + MAC,
                "DELETE /api/machines/" + MAC, "POST /api/tokens", "DELETE /api/tokens/tok_x");
        writes.addAll(FORWARDED_WRITES);

        // what a write could change: which machines exist, and the spec of the one every write names
        List<String> machinesBefore = as("test-token").get("/api/machines").jsonPath().getList("mac");
        String specBefore = as("test-token").get("/api/machines/" + MAC).jsonPath().getString("spec");
        String tokensBefore = as("test-token").get("/api/tokens").asString();
        int upstreamBefore = UpstreamFake.RECEIVED.size();
        for (String w : writes) {
            String method = w.substring(0, w.indexOf(' '));
            String path = w.substring(w.indexOf(' ') + 1);
            for (String token : new String[] {null, "wrong-token", "test-token-", viewer}) {
                RequestSpecification req = given().contentType(ContentType.JSON)
                        .body("{\"mac\":\"" + MAC + "\",\"hostname\":\"changed\",\"name\":\"n\",\"role\":\"admin\"}");
                if (token != null) {
                    req.auth().oauth2(token);
                }
                Response r = req.request(method, path);
                int expected = token == viewer ? 403 : 401;
                assertThat(r.statusCode()).as("%s with %s", w, token == viewer ? "a viewer token" : token).isEqualTo(expected);
                assertThat(r.contentType()).as(w).startsWith("application/problem+json");
                assertThat(r.jsonPath().getString("type")).as(w)
                        .isEqualTo(expected == 403 ? "urn:chainboot:problem:forbidden" : "urn:chainboot:problem:unauthorized");
            }
        }
        assertThat(as("test-token").get("/api/machines").jsonPath().getList("mac")).as("no machine created or deleted")
                .isEqualTo(machinesBefore);
        assertThat(as("test-token").get("/api/machines/" + MAC).jsonPath().getString("spec")).as("no spec changed")
                .isEqualTo(specBefore).contains("kept");
        assertThat(as("test-token").get("/api/tokens").asString()).as("no token created or revoked").isEqualTo(tokensBefore);
        assertThat(UpstreamFake.RECEIVED.subList(upstreamBefore, UpstreamFake.RECEIVED.size()))
                .as("no refused request reached iscsi-service or script-service").allMatch(l -> l.startsWith("GET "));
        as("test-token").delete("/api/machines/" + MAC).then().statusCode(204);
    }

    /**
     * An image upload larger than Quarkus' old 10 MiB body cap passes the entry point for an admin
     * (all its bytes reach iscsi-service), and is refused for no token, a wrong one and a viewer
     * before anything is forwarded; inventory's own JSON endpoints stay capped at 1 MiB (413).
     */
    @Test
    void largeUploadsReachIscsiServiceOnlyForAnAdmin() throws Exception {
        String viewer = create("upload viewer", "viewer");
        byte[] image = new byte[12 << 20];
        new java.util.Random(16).nextBytes(image);
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(image));
        int before = UpstreamFake.RECEIVED.size();
        for (String token : new String[] {null, "wrong-token", viewer}) {
            RequestSpecification req = given().contentType("application/octet-stream").body(image);
            if (token != null) {
                req.auth().oauth2(token);
            }
            Response r = req.put("/api/images/big-upload");
            assertThat(r.statusCode()).as("upload with %s", token == viewer ? "a viewer token" : token).isEqualTo(token == viewer ? 403 : 401);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        assertThat(UpstreamFake.RECEIVED.subList(before, UpstreamFake.RECEIVED.size())).as("nothing forwarded").isEmpty();
        assertThat(UpstreamFake.UPLOADED).doesNotContainKey("big-upload");

        as("test-token").contentType("application/octet-stream").body(image).put("/api/images/big-upload?sha256=" + sha)
                .then().statusCode(201).body("sizeBytes", equalTo(image.length)).body("sha256", equalTo(sha));
        as("test-token").contentType("application/octet-stream").body(new java.io.ByteArrayInputStream(image))
                .put("/api/images/big-chunked").then().statusCode(201).body("sizeBytes", equalTo(image.length));
        assertThat(UpstreamFake.RECEIVED.subList(before, UpstreamFake.RECEIVED.size()))
                .anyMatch(l -> l.startsWith("PUT /api/images/big-upload?sha256=" + sha + " | Bearer " + UpstreamFake.SECRET))
                .anyMatch(l -> l.startsWith("PUT /api/images/big-chunked | Bearer " + UpstreamFake.SECRET));

        byte[] over = new byte[(int) UpstreamFake.UPLOAD_LIMIT + (1 << 20)];
        int beforeOver = UpstreamFake.RECEIVED.size();
        Response tooBig = as("test-token").contentType("application/octet-stream").body(over).put("/api/images/over-length");
        assertThat(tooBig.statusCode()).as("Content-Length over the limit: %s", tooBig.asString()).isEqualTo(413);
        assertThat(tooBig.contentType()).startsWith("application/problem+json");
        assertThat(tooBig.jsonPath().getString("detail")).contains("limit of " + UpstreamFake.UPLOAD_LIMIT + " bytes")
                .contains("chainboot.iscsi.upload-limit-bytes");
        assertThat(UpstreamFake.RECEIVED.subList(beforeOver, UpstreamFake.RECEIVED.size()))
                .as("a declared over-limit upload is not forwarded").noneMatch(l -> l.startsWith("PUT "));
        tooBig = as("test-token").contentType("application/octet-stream").body(new java.io.ByteArrayInputStream(over))
                .put("/api/images/over-chunked");
        assertThat(tooBig.statusCode()).as("chunked over the limit: %s", tooBig.asString()).isEqualTo(413);
        assertThat(tooBig.jsonPath().getString("type")).isEqualTo("urn:chainboot:problem:too-large");
        assertThat(tooBig.jsonPath().getString("detail")).contains("limit of " + UpstreamFake.UPLOAD_LIMIT + " bytes");
        assertThat(UpstreamFake.UPLOADED).doesNotContainKeys("over-length", "over-chunked");

        String huge = "{\"mac\":\"52:54:00:16:00:0e\",\"hostname\":\"" + "h".repeat(2 << 20) + "\"}";
        Response r = as("test-token").contentType(ContentType.JSON).body(huge).post("/api/machines");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.jsonPath().getString("type")).isEqualTo("urn:chainboot:problem:too-large");
        assertThat(r.jsonPath().getString("detail")).contains("limit of 1048576 bytes");
        r = as("test-token").contentType(ContentType.JSON).body(new java.io.ByteArrayInputStream(huge.getBytes(StandardCharsets.UTF_8)))
                .post("/api/machines");
        assertThat(r.statusCode()).as("a chunked body over the cap: %s", r.asString()).isEqualTo(413);
        as("test-token").get("/api/machines/52:54:00:16:00:0e").then().statusCode(404);
    }

    /** OpenAPI lists, for each of inventory's own write operations, the 401 and 403 this test sees. */
    @Test
    void openApiDocumentsTheRefusalsOfEveryOwnWrite() {
        io.restassured.path.json.JsonPath api = given().accept("application/json").get("/q/openapi?format=json").jsonPath();
        for (WriteEndpoints.Endpoint e : WriteEndpoints.declaredIn(MachineResource.class, "io.chainboot.inventory")) {
            if (e.javaMethod().getDeclaringClass() == UpstreamResource.class) {
                continue; // forwarded: the statuses are the internal service's (docs/api.md)
            }
            Map<String, Object> responses = api.getMap("paths.'" + e.path() + "'." + e.method().toLowerCase() + ".responses");
            assertThat(responses).as("OpenAPI responses of %s", e).containsKeys("401", "403");
        }
    }

    @Test
    void anAdminWriteIsForwardedWithTheClusterSecretAndTheCaller() {
        String admin = create("forwarding admin", "admin");
        int before = UpstreamFake.RECEIVED.size();
        as(admin).post("/api/disks/52:54:00:16:00:02/reset").then().statusCode(200).body("upstream", equalTo(true));
        as(admin).post("/api/images/win12?path=win12.raw").then().statusCode(200);
        given().get("/api/sessions").then().statusCode(200);
        given().get("/api").then().statusCode(200).body("disks", equalTo("/api/disks"));
        List<String> got = UpstreamFake.RECEIVED.subList(before, UpstreamFake.RECEIVED.size());
        assertThat(got).anyMatch(l -> l.startsWith("POST /api/disks/52:54:00:16:00:02/reset | Bearer " + UpstreamFake.SECRET
                        + " | forwarding admin (tok_"))
                .anyMatch(l -> l.startsWith("POST /api/images/win12?path=win12.raw | Bearer " + UpstreamFake.SECRET))
                .anyMatch(l -> l.startsWith("GET /iscsi/sessions |"));
    }
}
