package io.chainboot.script.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainboot.common.api.WriteEndpoints;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every write endpoint script-service declares (read from its JAX-RS annotations) refuses a
 * request with no token, a wrong token or a non-bearer credential with a 401 problem, and the
 * loaded profiles stay as they were.
 */
@QuarkusTest
class WriteGuardTest {

    @Test
    void everyWriteEndpointRefusesCallersWithoutTheClusterSecret() {
        List<WriteEndpoints.Endpoint> writes = WriteEndpoints.declaredIn(ProfileResource.class, "io.chainboot.script");
        assertThat(writes).extracting(Object::toString).contains("POST /api/profiles/reload", "POST /api/profiles/validate");
        String before = given().get("/api/profiles").asString();
        for (WriteEndpoints.Endpoint e : writes) {
            String path = e.path(Map.of("name", "debian", "mac", "52:54:00:99:00:03"));
            for (String auth : new String[] {null, "Bearer wrong", "Basic cluster-secret-for-tests", "Bearer cluster-secret-for-test"}) {
                var req = given().contentType("text/plain").body("name: x\nkind: local\n");
                if (auth != null) {
                    req.header("Authorization", auth);
                }
                Response r = req.request(e.method(), path);
                assertThat(r.statusCode()).as("%s %s with %s", e.method(), path, auth).isEqualTo(401);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.jsonPath().getString("type")).isEqualTo("urn:chainboot:problem:unauthorized");
            }
        }
        assertThat(given().get("/api/profiles").asString()).isEqualTo(before);
    }
}
