package io.chainboot.dhcp;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * dhcp-service's OpenAPI document lists its HTTP endpoints (health: /q/health, live, ready, started),
 * and each one, called, answers a status the document gives for it.
 */
@QuarkusTest
class OpenApiStatusesTest {
    @Test
    void everyDocumentedEndpointAnswersADocumentedStatus() {
        JsonPath api = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        Map<String, Map<String, Object>> paths = api.getMap("paths");
        assertThat(paths).as("documented paths").containsKeys("/q/health", "/q/health/live", "/q/health/ready");
        for (Map.Entry<String, Map<String, Object>> p : paths.entrySet()) {
            assertThat(p.getValue().keySet()).as("operations of %s (all are read-only)", p.getKey())
                    .doesNotContain("put", "post", "delete", "patch").contains("get");
            Map<String, Object> responses = api.getMap("paths.'" + p.getKey() + "'.get.responses");
            int status = given().get(p.getKey()).statusCode();
            assertThat(responses).as("GET %s answered %d; documented", p.getKey(), status).containsKey(String.valueOf(status));
        }
    }
}
