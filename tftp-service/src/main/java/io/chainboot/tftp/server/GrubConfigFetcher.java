package io.chainboot.tftp.server;

import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Fetches a GRUB configuration from script-service ({@code <grub-config-url><file>?ip=<client>}) without
 * blocking a TFTP loop: the answer arrives on the HTTP client's own thread. Anything but a 200 within
 * {@link #TIMEOUT} is a failure with its reason.
 */
final class GrubConfigFetcher {
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** A GRUB configuration is text of a few lines; anything larger is refused. */
    static final int MAX_BYTES = 1 << 20;

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    GrubConfigFetcher(URI base) {
        this.base = base;
    }

    CompletableFuture<byte[]> fetch(String file, InetAddress client) {
        // not URI.resolve: "grub.cfg-52:54:..." would read as a URI scheme
        URI uri;
        try {
            uri = URI.create(base + file + "?ip=" + URLEncoder.encode(client.getHostAddress(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("no URL for " + file + ": " + e.getMessage()));
        }
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).thenApply(r -> {
            if (r.statusCode() != 200) {
                throw new IllegalStateException("script-service answered " + r.statusCode() + " for " + uri.getPath());
            }
            if (r.body().length > MAX_BYTES) {
                throw new IllegalStateException("script-service's GRUB configuration is larger than " + MAX_BYTES + " bytes");
            }
            return r.body();
        });
    }
}
