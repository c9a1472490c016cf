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
 * and 422 otherwise; PUT of a profile stores its document (400 naming {@code name} or
 * {@code kind} when its kind is not one of script-service's), GET .../document answers it, DELETE
 * removes a created one (409 for a built-in) — stand-ins for script-service's profile API
 * (ProfileWriteApiTest tests the real one), for the console test.
 */
public class UpstreamFake implements QuarkusTestResourceLifecycleManager {
    public static final String SECRET = "cluster-secret-of-the-inventory-tests";
    /** The profiles script-service has: the four built-ins, then those created by PUT. */
    public static final List<String> PROFILES = new CopyOnWriteArrayList<>(List.of("menu", "local", "linux", "sanboot"));
    /** The documents of the profiles created or replaced by PUT. */
    public static final Map<String, String> DOCUMENTS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final List<String> KINDS = List.of("sanboot", "install-windows", "linux", "menu", "chain", "local");

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

    /** Images uploaded with PUT /api/images/NAME: their size and SHA-256, listed by GET /api/images. */
    /** The fake's upload limit, answered at GET /api/upload-limit as iscsi-service does. */
    public static final long UPLOAD_LIMIT = 16 << 20;

    public static final Map<String, String> UPLOADED = new java.util.concurrent.ConcurrentSkipListMap<>();

    private static Answer uploaded(String method, String path, byte[] raw) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("/api/images/([A-Za-z0-9][A-Za-z0-9._-]*)").matcher(path);
        if (!method.equals("PUT") || !m.matches() || m.group(1).equals("imports")) {
            return null;
        }
        String sha;
        try {
            sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(raw));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String json = "{\"name\":\"" + m.group(1) + "\",\"sizeBytes\":" + raw.length + ",\"sha256\":\"" + sha
                + "\",\"users\":[],\"format\":\"raw\",\"receivedBytes\":" + raw.length + ",\"receivedSha256\":\"" + sha + "\"}";
        UPLOADED.put(m.group(1), json);
        return new Answer(201, json);
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
            List<String> rows = new java.util.ArrayList<>(all.stream().map(UpstreamFake::image).toList());
            rows.addAll(UPLOADED.values());
            return new Answer(200, "[" + String.join(",", rows) + "]");
        }
        if (method.equals("GET") && path.equals("/api/upload-limit")) {
            return new Answer(200, "{\"limitBytes\":" + UPLOAD_LIMIT + ",\"key\":\"chainboot.iscsi.upload-limit-bytes\"}");
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
        java.util.regex.Matcher pr = java.util.regex.Pattern.compile("/api/profiles/([^/]+)(/document)?").matcher(path);
        if (pr.matches() && !pr.group(1).equals("validate") && !pr.group(1).equals("reload")) {
            String n = pr.group(1);
            boolean known = PROFILES.contains(n);
            if (method.equals("GET") && known && pr.group(2) != null) {
                return new Answer(200, DOCUMENTS.getOrDefault(n, "name: " + n + "\nkind: " + n + "\n"), "application/yaml");
            }
            if (method.equals("GET") && known) {
                return new Answer(200, profileView(n));
            }
            if (method.equals("GET") && !known) {
                return new Answer(404, "{\"type\":\"urn:chainboot:problem:not-found\",\"title\":\"No such resource\",\"status\":404,"
                        + "\"detail\":\"no profile " + n + "\"}");
            }
            if (method.equals("PUT") && pr.group(2) == null) {
                java.util.regex.Matcher kind = java.util.regex.Pattern.compile("(?m)^kind: *([a-z-]+) *$").matcher(body);
                if (!n.matches("[a-z0-9][a-z0-9-]{0,62}")) {
                    return problem400("name", "name: not a profile name");
                }
                if (!kind.find() || !KINDS.contains(kind.group(1))) {
                    return problem400("kind", "kind: profile " + n + ": kind must be one of " + String.join(", ", KINDS));
                }
                DOCUMENTS.put(n, body);
                if (!known) {
                    PROFILES.add(n);
                }
                return new Answer(known ? 200 : 201, profileView(n));
            }
            if (method.equals("DELETE") && pr.group(2) == null && known) {
                if (!DOCUMENTS.containsKey(n)) {
                    return new Answer(409, "{\"type\":\"urn:chainboot:problem:conflict\",\"title\":\"The request conflicts with the current state\","
                            + "\"status\":409,\"detail\":\"profile " + n + " is built in\"}");
                }
                DOCUMENTS.remove(n);
                PROFILES.remove(n);
                return new Answer(200, "{\"name\":\"" + n + "\",\"file\":\"" + n + ".yaml\",\"builtinAgain\":null}");
            }
        }
        if (method.equals("POST") && path.equals("/api/profiles/validate")) {
            return body.contains("kind:") ? new Answer(200, "{\"valid\":true,\"profile\":{\"name\":\"pasted\",\"kind\":\"linux\"}}")
                    : new Answer(422, "{\"type\":\"urn:chainboot:problem:invalid-document\",\"title\":\"The document is well-formed but invalid\","
                    + "\"status\":422,\"detail\":\"kind: is required\"}");
        }
        return null;
    }

    private record Answer(int status, String body, String type) {
        Answer(int status, String body) {
            this(status, body, null);
        }
    }

    private static Answer problem400(String field, String detail) {
        return new Answer(400, "{\"type\":\"urn:chainboot:problem:invalid-field\",\"title\":\"A field of the request is invalid\","
                + "\"status\":400,\"detail\":\"" + detail + "\",\"field\":\"" + field + "\"}");
    }

    /** A profile as script-service's API shows it: kind and description from its document. */
    private static String profileView(String n) {
        String doc = DOCUMENTS.get(n);
        String kind = n;
        String description = "the " + n + " profile";
        if (doc != null) {
            java.util.regex.Matcher k = java.util.regex.Pattern.compile("(?m)^kind: *([a-z-]+)").matcher(doc);
            kind = k.find() ? k.group(1) : "?";
            java.util.regex.Matcher d = java.util.regex.Pattern.compile("(?m)^description: *([^\"\\\\\n]*)$").matcher(doc);
            description = d.find() ? d.group(1).trim() : "";
        }
        return "{\"name\":\"" + n + "\",\"kind\":\"" + kind + "\",\"description\":\"" + description
                + "\",\"priority\":0,\"selector\":{},\"params\":{},\"customTemplate\":false,\"source\":\""
                + (doc == null ? "builtin:" + n + ".yaml" : "/profiles/" + n + ".yaml") + "\"}";
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
                    byte[] raw = ex.getRequestBody().readAllBytes();
                    String sent = new String(raw, StandardCharsets.UTF_8);
                    Answer a = uploaded(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), raw);
                    if (a == null) {
                        a = stateful(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), q, sent);
                    }
                    if (a != null) {
                        if (a.body() == null) {
                            ex.sendResponseHeaders(a.status(), -1);
                        } else {
                            byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
                            ex.getResponseHeaders().add("Content-Type", a.type() != null ? a.type()
                                    : a.status() >= 400 ? "application/problem+json" : "application/json");
                            ex.sendResponseHeaders(a.status(), b.length);
                            ex.getResponseBody().write(b);
                        }
                        ex.close();
                        return;
                    }
                    String body;
                    if (line.equals("GET /api/profiles")) {
                        body = "{\"profiles\":[" + String.join(",", PROFILES.stream().map(UpstreamFake::profileView).toList())
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
