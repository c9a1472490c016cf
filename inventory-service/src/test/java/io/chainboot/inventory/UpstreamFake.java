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
 * — and every other request with 200 {@code {"upstream":true}}. Disks seeded with
 * {@link #seedDisk} behave like iscsi-service's, in memory: listed, reset (used bytes back to 0,
 * 204), snapshotted and promoted (201; the new image is listed), with the images' users; a
 * profile's GET answers its view, and validate answers 200 for a document with {@code kind:}
 * and 422 otherwise (a stand-in for script-service's parser, for the console test).
 */
public class UpstreamFake implements QuarkusTestResourceLifecycleManager {
    public static final String SECRET = "cluster-secret-of-the-inventory-tests";
    public static final List<String> PROFILES = List.of("menu", "local", "linux", "sanboot");

    /** One request as received: "METHOD /path?query | authorization | caller". */
    public static final List<String> RECEIVED = new CopyOnWriteArrayList<>();
    private static HttpServer server;

    /** A seeded disk: iscsi-service's listing fields. */
    public static final class FakeDisk {
        final String mac;
        final String kind;
        final String image;
        final long sizeBytes;
        volatile long usedBytes;
        final List<String> snapshots = new CopyOnWriteArrayList<>();

        FakeDisk(String mac, String kind, String image, long sizeBytes, long usedBytes) {
            this.mac = mac;
            this.kind = kind;
            this.image = image;
            this.sizeBytes = sizeBytes;
            this.usedBytes = usedBytes;
        }

        String json() {
            return "{\"mac\":\"" + mac + "\",\"kind\":\"" + kind + "\",\"image\":\"" + image + "\",\"sizeBytes\":" + sizeBytes
                    + ",\"usedBytes\":" + usedBytes + ",\"snapshots\":[" + String.join(",", snapshots.stream().map(n -> "\"" + n + "\"").toList())
                    + "]}";
        }
    }

    public static final Map<String, FakeDisk> DISKS = new java.util.concurrent.ConcurrentSkipListMap<>();
    public static final List<String> PROMOTED = new CopyOnWriteArrayList<>();

    public static void seedDisk(String mac, String kind, String image, long sizeBytes, long usedBytes) {
        DISKS.put(mac, new FakeDisk(mac, kind, image, sizeBytes, usedBytes));
    }

    private static String image(String name) {
        List<String> users = DISKS.values().stream().filter(d -> d.kind.equals("OVERLAY") && d.image.equals(name))
                .map(d -> "\"" + d.mac + "\"").toList();
        return "{\"name\":\"" + name + "\",\"sizeBytes\":1048576,\"sha256\":\"" + "ab".repeat(32) + "\",\"users\":["
                + String.join(",", users) + "]}";
    }

    /** The stateful answer to a request about a seeded disk, an image list or a profile; null for the default. */
    private static Answer stateful(String method, String path, String query, String body) {
        if (method.equals("GET") && path.equals("/api/disks")) {
            return new Answer(200, "[" + String.join(",", DISKS.values().stream().map(FakeDisk::json).toList()) + "]");
        }
        if (method.equals("GET") && path.equals("/api/images")) {
            List<String> all = new java.util.ArrayList<>(List.of("win11", "debian"));
            all.addAll(PROMOTED);
            return new Answer(200, "[" + String.join(",", all.stream().map(UpstreamFake::image).toList()) + "]");
        }
        if (method.equals("GET") && path.equals("/api/images/imports")) {
            return new Answer(200, "[]");
        }
        java.util.regex.Matcher d = java.util.regex.Pattern.compile("/api/disks/([0-9a-f:]{17})(/.*)?").matcher(path);
        if (d.matches() && DISKS.containsKey(d.group(1))) {
            FakeDisk disk = DISKS.get(d.group(1));
            String rest = d.group(2) == null ? "" : d.group(2);
            if (method.equals("GET") && rest.isEmpty()) {
                return new Answer(200, disk.json());
            }
            if (method.equals("POST") && rest.equals("/reset")) {
                disk.usedBytes = 0;
                return new Answer(204, null);
            }
            if (method.equals("POST") && rest.startsWith("/snapshots/") && rest.indexOf('/', 11) < 0) {
                disk.snapshots.add(rest.substring(11));
                return new Answer(201, disk.json());
            }
            if (method.equals("POST") && rest.equals("/promote") && query != null && query.startsWith("image=")) {
                PROMOTED.add(query.substring(6));
                return new Answer(201, image(query.substring(6)));
            }
        } else if (d.matches() && method.equals("GET") && d.group(2) == null) {
            return new Answer(404, "{\"type\":\"urn:chainboot:problem:not-found\",\"title\":\"No such resource\",\"status\":404,"
                    + "\"detail\":\"no disk for " + d.group(1) + "\"}");
        }
        if (method.equals("GET") && path.startsWith("/api/profiles/") && PROFILES.contains(path.substring(14))) {
            String n = path.substring(14);
            return new Answer(200, "{\"name\":\"" + n + "\",\"kind\":\"" + n + "\",\"description\":\"the " + n
                    + " profile\",\"priority\":0,\"selector\":{},\"params\":{},\"customTemplate\":false,\"source\":\"" + n + ".yaml\"}");
        }
        if (method.equals("POST") && path.equals("/api/profiles/validate")) {
            return body.contains("kind:") ? new Answer(200, "{\"valid\":true,\"profile\":{\"name\":\"pasted\",\"kind\":\"linux\"}}")
                    : new Answer(422, "{\"type\":\"urn:chainboot:problem:invalid-document\",\"title\":\"The document is well-formed but invalid\","
                    + "\"status\":422,\"detail\":\"kind: is required\"}");
        }
        return null;
    }

    private record Answer(int status, String body) {
    }

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
                    String sent = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    Answer a = stateful(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), q, sent);
                    if (a != null) {
                        if (a.body() == null) {
                            ex.sendResponseHeaders(a.status(), -1);
                        } else {
                            byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
                            ex.getResponseHeaders().add("Content-Type", a.status() >= 400 ? "application/problem+json" : "application/json");
                            ex.sendResponseHeaders(a.status(), b.length);
                            ex.getResponseBody().write(b);
                        }
                        ex.close();
                        return;
                    }
                    String body;
                    if (line.equals("GET /api/profiles")) {
                        body = "{\"profiles\":[" + String.join(",", PROFILES.stream().map(p -> "{\"name\":\"" + p + "\"}").toList())
                                + "],\"problems\":[]}";
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
