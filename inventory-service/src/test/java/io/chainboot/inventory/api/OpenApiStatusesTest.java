package io.chainboot.inventory.api;

import io.chainboot.common.testing.Eventually;
import io.chainboot.events.BootEvent;
import io.chainboot.events.ClientKind;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.infra.testing.KafkaResource;
import io.chainboot.infra.testing.PostgresResource;
import io.chainboot.inventory.Events;
import io.chainboot.inventory.KafkaClients;
import io.chainboot.inventory.UpstreamFake;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpenAPI tells the truth about inventory's own endpoints: each is called — with good input, bad
 * input, no token, a viewer token, unknown ids, duplicates, an oversized body — and every status
 * it answers must be listed under that operation's responses in {@code /q/openapi}; and every
 * operation of inventory's own in the document is called at least once. The forwarded
 * {@code /api/{area}…} entry is left out: its statuses are the internal services' (docs/api.md).
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(UpstreamFake.class)
class OpenApiStatusesTest {
    static final String MAC = "52:54:00:0a:00:01";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @TestHTTPResource("/api/stream")
    URL stream;

    final List<String> undocumented = new ArrayList<>();
    final Set<String> called = new LinkedHashSet<>();
    JsonPath api;

    /** One call: method, the OpenAPI path template, the concrete path, the token (null: none), a JSON body. */
    void call(String method, String template, String path, String token, String body, String contentType) {
        RequestSpecification r = given().redirects().follow(false);
        if (token != null) {
            r.auth().oauth2(token);
        }
        if (body != null) {
            r.contentType(contentType == null ? "application/json" : contentType);
            if ("application/octet-stream".equals(contentType)) {
                r.body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } else {
                r.body(body);
            }
        }
        int status = r.request(method, path).statusCode();
        record(method, template, status);
    }

    void record(String method, String template, int status) {
        String op = method.toLowerCase() + " " + template;
        called.add(op);
        Map<String, Object> responses = api.getMap("paths.'" + template + "'." + method.toLowerCase() + ".responses");
        if (responses == null) {
            undocumented.add(op + ": no such operation in OpenAPI");
        } else if (!responses.containsKey(String.valueOf(status))) {
            undocumented.add(op + " answered " + status + ", documented " + responses.keySet());
        }
    }

    @Test
    void everyStatusEachEndpointAnswersIsDocumented() throws Exception {
        api = given().accept("application/json").get("/q/openapi?format=json").jsonPath();
        String admin = "test-token";
        String viewer = given().auth().oauth2(admin).contentType("application/json").body("{\"name\":\"openapi viewer\",\"role\":\"viewer\"}")
                .post("/api/tokens").then().statusCode(201).extract().path("token");

        // a boot attempt and an event to read
        MacAddress booted = MacAddress.parse("52:54:00:0a:00:02");
        BootEvent first = Events.acked(booted, Ipv4Address.parse("10.5.0.2"), ClientKind.FIRMWARE, Instant.now());
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrap)) {
            KafkaClients.send(producer, List.of(first));
        }
        Eventually.until(() -> given().get("/api/machines/" + booted).statusCode() == 200, booted + " stored",
                Duration.ofSeconds(60));
        String attempt = given().get("/api/machines/" + booted).then().statusCode(200).extract().path("attemptId");

        String m = "/api/machines/{mac}";
        String good = "{\"mac\":\"" + MAC + "\",\"hostname\":\"oa\"}";
        String huge = "{\"mac\":\"" + MAC + "\",\"labels\":{" + String.join(",", java.util.stream.IntStream.range(0, 60)
                .mapToObj(i -> "\"k" + i + "\":\"" + "v".repeat(300) + "\"").toList()) + "}}";
        call("GET", "/api", "/api", null, null, null);
        call("GET", "/api/machines", "/api/machines", null, null, null);
        call("POST", "/api/machines", "/api/machines", null, good, null);
        call("POST", "/api/machines", "/api/machines", viewer, good, null);
        call("POST", "/api/machines", "/api/machines", admin, "{\"mac\":\"" + MAC + "\",\"hostnme\":\"typo\"}", null);
        call("POST", "/api/machines", "/api/machines", admin, huge, null);
        call("POST", "/api/machines", "/api/machines", admin, good, null);
        call("POST", "/api/machines", "/api/machines", admin, good, null); // 409
        call("GET", m, "/api/machines/" + MAC, null, null, null);
        call("GET", m, "/api/machines/52:54:00:0a:00:99", null, null, null);
        call("GET", m, "/api/machines/not-a-mac", null, null, null);
        call("PUT", m, "/api/machines/" + MAC, admin, good, null);
        call("PUT", m, "/api/machines/52:54:00:0a:00:03", admin, "{\"hostname\":\"new\"}", null); // 201
        call("PUT", m, "/api/machines/" + MAC, admin, "{\"mac\":\"52:54:00:0a:00:07\"}", null); // 400
        call("PUT", m, "/api/machines/" + MAC, null, good, null);
        call("PUT", m, "/api/machines/" + MAC, viewer, good, null);
        call("PUT", m, "/api/machines/" + MAC, admin, huge, null);
        call("PATCH", m, "/api/machines/" + MAC, admin, "{\"hostname\":\"oa2\"}", "application/merge-patch+json");
        call("PATCH", m, "/api/machines/52:54:00:0a:00:99", admin, "{\"hostname\":\"x\"}", "application/merge-patch+json");
        call("PATCH", m, "/api/machines/" + MAC, admin, "{\"colour\":1}", "application/merge-patch+json");
        call("PATCH", m, "/api/machines/" + MAC, null, "{\"hostname\":\"x\"}", "application/merge-patch+json");
        call("PATCH", m, "/api/machines/" + MAC, viewer, "{\"hostname\":\"x\"}", "application/merge-patch+json");
        call("GET", m + "/boots", "/api/machines/" + booted + "/boots", null, null, null);
        call("GET", m + "/boots", "/api/machines/nope/boots", null, null, null);
        call("DELETE", m, "/api/machines/" + MAC, null, null, null);
        call("DELETE", m, "/api/machines/" + MAC, viewer, null, null);
        call("DELETE", m, "/api/machines/not-a-mac", admin, null, null);
        call("DELETE", m, "/api/machines/" + MAC, admin, null, null);
        call("DELETE", m, "/api/machines/" + MAC, admin, null, null); // 404
        call("DELETE", m, "/api/machines/52:54:00:0a:00:03", admin, null, null);

        call("GET", "/api/boots/{id}", "/api/boots/" + attempt, null, null, null);
        call("GET", "/api/boots/{id}", "/api/boots/" + UUID.randomUUID(), null, null, null);
        call("GET", "/api/boots/{id}", "/api/boots/xyz", null, null, null);
        call("GET", "/api/events/{id}", "/api/events/" + first.id(), null, null, null);
        call("GET", "/api/events/{id}", "/api/events/" + UUID.randomUUID(), null, null, null);
        call("GET", "/api/events/{id}", "/api/events/xyz", null, null, null);
        call("GET", "/api/stats", "/api/stats", null, null, null);
        HttpResponse<java.io.InputStream> sse = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(stream.toString()))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        record("GET", "/api/stream", sse.statusCode());
        sse.body().close();

        call("GET", "/api/tokens", "/api/tokens", admin, null, null);
        call("GET", "/api/tokens", "/api/tokens", null, null, null);
        call("GET", "/api/tokens", "/api/tokens", viewer, null, null);
        call("POST", "/api/tokens", "/api/tokens", admin, "{\"name\":\"oa\",\"role\":\"viewer\"}", null);
        call("POST", "/api/tokens", "/api/tokens", admin, "{\"name\":\"oa\",\"role\":\"root\"}", null);
        call("POST", "/api/tokens", "/api/tokens", null, "{\"name\":\"oa\",\"role\":\"viewer\"}", null);
        call("POST", "/api/tokens", "/api/tokens", admin, "{\"name\":\"" + "x".repeat(2 << 20) + "\"}", null);
        // the image upload the entry point forwards (the fake answers as iscsi-service does on success;
        // iscsi-service's own statuses are checked against its document by its ImageUploadTest)
        call("PUT", "/api/images/{name}", "/api/images/openapi-up", admin, "x".repeat(4096), "application/octet-stream");
        call("PUT", "/api/images/{name}", "/api/images/openapi-up", viewer, "x".repeat(4096), "application/octet-stream");
        call("PUT", "/api/images/{name}", "/api/images/openapi-up", null, "x".repeat(4096), "application/octet-stream");
        call("POST", "/api/tokens", "/api/tokens", viewer, "{\"name\":\"oa\",\"role\":\"viewer\"}", null);
        String id = given().auth().oauth2(admin).get("/api/tokens").then().extract().path("find { it.name == 'oa' }.id");
        call("DELETE", "/api/tokens/{id}", "/api/tokens/" + id, null, null, null);
        call("DELETE", "/api/tokens/{id}", "/api/tokens/" + id, viewer, null, null);
        call("DELETE", "/api/tokens/{id}", "/api/tokens/" + id, admin, null, null);
        call("DELETE", "/api/tokens/{id}", "/api/tokens/tok_nosuch", admin, null, null);

        call("GET", "/api/audit", "/api/audit", viewer, null, null);
        call("GET", "/api/audit", "/api/audit?since=yesterday", viewer, null, null);
        call("GET", "/api/audit", "/api/audit", null, null, null);
        call("GET", "/api/whoami", "/api/whoami", viewer, null, null);
        call("GET", "/api/whoami", "/api/whoami", null, null, null);

        // every operation of inventory's own that OpenAPI lists was called
        List<String> listed = new ArrayList<>();
        Map<String, Map<String, Object>> paths = api.getMap("paths");
        paths.forEach((path, ops) -> {
            if (path.startsWith("/api/{area}") || !path.startsWith("/api")) {
                return; // forwarded to iscsi-service / script-service
            }
            ops.keySet().forEach(method -> listed.add(method + " " + path));
        });
        assertThat(called).as("operations called").containsAll(listed);
        assertThat(undocumented).as("statuses answered but not in OpenAPI").isEmpty();
    }
}
