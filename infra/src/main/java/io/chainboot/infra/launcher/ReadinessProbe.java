package io.chainboot.infra.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** One readiness check of a service: {@code GET /q/health/ready}, UP only on 200. */
final class ReadinessProbe {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Empty when ready; otherwise why not, in one line ("health 503: …", "no answer on …"). */
    Optional<String> notReady(String url) throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return Optional.empty();
            }
            return Optional.of(LogText.shorten("health " + r.statusCode() + ": " + r.body().replaceAll("\\s+", " ")));
        } catch (IOException e) {
            return Optional.of("no answer on " + url);
        }
    }
}
