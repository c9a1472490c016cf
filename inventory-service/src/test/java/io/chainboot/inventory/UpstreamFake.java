package io.chainboot.inventory;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for script-service and iscsi-service behind the entry point: records every request
 * it receives (method, path and query, Authorization, X-Chainboot-Caller) and answers the reads
 * inventory needs — profiles {@code menu, local, linux, sanboot} and images {@code win11, debian}
 * — and every other request with 200 {@code {"upstream":true}}.
 */
public class UpstreamFake implements QuarkusTestResourceLifecycleManager {
    public static final String SECRET = "cluster-secret-of-the-inventory-tests";
    public static final List<String> PROFILES = List.of("menu", "local", "linux", "sanboot");

    /** One request as received: "METHOD /path?query | authorization | caller". */
    public static final List<String> RECEIVED = new CopyOnWriteArrayList<>();
    private static HttpServer server;

    @Override
    public synchronized Map<String, String> start() {
        try {
            if (server == null) {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                server.createContext("/", ex -> {
                    String q = ex.getRequestURI().getRawQuery();
                    String line = ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + (q == null ? "" : "?" + q);
                    RECEIVED.add(line + " | " + ex.getRequestHeaders().getFirst("Authorization") + " | "
                            + ex.getRequestHeaders().getFirst("X-Chainboot-Caller"));
                    ex.getRequestBody().readAllBytes();
                    String body;
                    if (line.equals("GET /api/profiles")) {
                        body = "{\"profiles\":[" + String.join(",", PROFILES.stream().map(p -> "{\"name\":\"" + p + "\"}").toList())
                                + "],\"problems\":[]}";
                    } else if (line.equals("GET /api/images")) {
                        body = "[{\"name\":\"win11\",\"sizeBytes\":1048576},{\"name\":\"debian\",\"sizeBytes\":1048576}]";
                    } else {
                        body = "{\"upstream\":true}";
                    }
                    byte[] b = body.getBytes(StandardCharsets.UTF_8);
                    ex.getResponseHeaders().add("Content-Type", "application/json");
                    ex.sendResponseHeaders(200, b.length);
                    ex.getResponseBody().write(b);
                    ex.close();
                });
                server.start();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("chainboot.inventory.upstream.iscsi-url", url, "chainboot.inventory.upstream.script-url", url,
                "chainboot.common.cluster-secret", SECRET);
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }
}
