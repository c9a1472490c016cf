package io.chainboot.iscsi.disk;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainboot.common.api.WriteEndpoints;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every write endpoint iscsi-service declares (found from its JAX-RS annotations, so a new one is
 * tried too) refuses a request with no token, a wrong token and a non-bearer credential with 401
 * and a problem body, and nothing under the images, disks and import directories changes.
 */
@QuarkusTest
@TestProfile(DiskApiProfile.class)
class WriteGuardTest {
    static final String MAC = "52:54:00:99:00:01";

    @Test
    void everyWriteEndpointRefusesCallersWithoutTheClusterSecret() throws Exception {
        List<WriteEndpoints.Endpoint> writes = WriteEndpoints.declaredIn(DiskResource.class, "io.chainboot.iscsi");
        assertThat(writes).extracting(Object::toString).contains("POST /api/images/{name}", "PUT /api/images/{name}",
                "DELETE /api/images/{name}", "POST /api/disks/{mac}", "POST /api/disks/{mac}/reset",
                "POST /api/disks/{mac}/promote", "POST /api/disks/{mac}/snapshots/{name}",
                "POST /api/disks/{mac}/snapshots/{name}/restore", "DELETE /api/disks/{mac}/snapshots/{name}", "DELETE /api/disks/{mac}");

        // something for each endpoint to act on, had it let the request through
        Files.createDirectories(DiskApiProfile.DIR.resolve("import"));
        Disks.goldenImage(DiskApiProfile.DIR.resolve("import/guard.raw"), 64);
        DiskApiTest.admin().post("/api/images/guard?path=guard.raw").then().statusCode(201);
        DiskApiTest.admin().contentType("application/json").body("{\"kind\":\"OVERLAY\",\"image\":\"guard\"}")
                .post("/api/disks/" + MAC).then().statusCode(201);
        DiskApiTest.admin().post("/api/disks/" + MAC + "/snapshots/s").then().statusCode(201);
        Map<String, String> before = files();

        Map<String, String> values = Map.of("mac", MAC, "name", "guard");
        for (WriteEndpoints.Endpoint e : writes) {
            String path = e.path(values) + (e.path().endsWith("/promote") ? "?image=guard2"
                    : e.method().equals("POST") && e.path().equals("/api/images/{name}") ? "?path=guard.raw" : "");
            for (String auth : new String[] {null, "Bearer wrong-secret", "Basic " + DiskApiProfile.SECRET,
                    "Bearer " + DiskApiProfile.SECRET + "x"}) {
                var req = given().contentType(e.method().equals("PUT") ? "application/octet-stream" : "application/json")
                        .body(e.method().equals("PUT") ? new byte[512] : "{\"kind\":\"RAW\",\"sizeBytes\":512}".getBytes());
                if (auth != null) {
                    req.header("Authorization", auth);
                }
                Response r = req.request(e.method(), path);
                assertThat(r.statusCode()).as("%s %s with %s", e.method(), path, auth).isEqualTo(401);
                assertThat(r.contentType()).as("%s %s", e.method(), path).startsWith("application/problem+json");
                assertThat(r.jsonPath().getString("type")).isEqualTo("urn:chainboot:problem:unauthorized");
            }
        }
        assertThat(files()).as("nothing changed on disk").isEqualTo(before);

        DiskApiTest.admin().delete("/api/disks/" + MAC).then().statusCode(204);
        DiskApiTest.admin().delete("/api/images/guard").then().statusCode(204);
    }

    /** Every file under the test's directory with its size and modification time. */
    static Map<String, String> files() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(DiskApiProfile.DIR)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(DiskApiProfile.DIR.relativize(p).toString(), Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return out;
    }
}
