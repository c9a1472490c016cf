package io.chainboot.inventory.live;

import io.chainboot.infra.testing.KafkaResource;
import io.chainboot.infra.testing.PostgresResource;
import io.chainboot.inventory.UpstreamFake;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /api/stream} read as raw server-sent events by a plain HTTP client: it opens with a
 * {@code ping}, then every write through the API shows — a created and a patched machine as its
 * row with the new values, a deleted one as {@code deleted}, each followed by {@code changed},
 * a forwarded disk write as {@code changed} — and a refused write shows nothing.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(UpstreamFake.class)
class LiveStreamTest {
    @TestHTTPResource("/api/stream")
    URL stream;

    /** One event: "name|data" (name "message" when unnamed). */
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @Test
    void everyWriteThroughTheApiIsOnTheStream() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(stream.toString()))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String name = "message";
                StringBuilder data = new StringBuilder();
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.isEmpty()) {
                        events.add(name + "|" + data);
                        name = "message";
                        data.setLength(0);
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).trim());
                    }
                }
            } catch (java.io.IOException closed) {
                // the test ended
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
        assertThat(next()).startsWith("ping|");

        String mac = "52:54:00:5e:00:01";
        given().auth().oauth2("test-token").contentType(ContentType.JSON).body("{\"mac\":\"" + mac + "\",\"hostname\":\"first\"}")
                .post("/api/machines").then().statusCode(201);
        assertThat(nextBut("ping")).startsWith("message|").contains("\"mac\":\"" + mac + "\"").contains("\"hostname\":\"first\"");
        assertThat(nextBut("ping")).isEqualTo("changed|{\"kind\":\"machine\",\"id\":\"" + mac + "\",\"method\":\"POST\",\"status\":201}");

        given().auth().oauth2("test-token").contentType("application/merge-patch+json")
                .body("{\"hostname\":\"second\",\"labels\":{\"room\":\"b12\"}}").patch("/api/machines/" + mac).then().statusCode(200);
        assertThat(nextBut("ping")).startsWith("message|").contains("\"hostname\":\"second\"").contains("\"room\":\"b12\"");
        assertThat(nextBut("ping")).startsWith("changed|{\"kind\":\"machine\"");

        given().contentType("application/merge-patch+json").body("{\"hostname\":\"anon\"}").patch("/api/machines/" + mac)
                .then().statusCode(401);
        given().auth().oauth2("test-token").post("/api/disks/" + mac + "/reset").then().statusCode(200);
        assertThat(nextBut("ping")).as("the refused PATCH sent nothing; the reset is next")
                .isEqualTo("changed|{\"kind\":\"disk\",\"id\":\"" + mac + "\",\"method\":\"POST\",\"status\":200}");

        given().auth().oauth2("test-token").delete("/api/machines/" + mac).then().statusCode(204);
        assertThat(nextBut("ping")).isEqualTo("deleted|{\"mac\":\"" + mac + "\"}");
        assertThat(nextBut("ping")).isEqualTo("changed|{\"kind\":\"machine\",\"id\":\"" + mac + "\",\"method\":\"DELETE\",\"status\":204}");
        r.body().close();
    }

    String next() throws InterruptedException {
        String e = events.poll(10, TimeUnit.SECONDS);
        assertThat(e).as("an event within 10 s").isNotNull();
        return e;
    }

    String nextBut(String name) throws InterruptedException {
        String e;
        do {
            e = next();
        } while (e.startsWith(name + "|"));
        return e;
    }
}
