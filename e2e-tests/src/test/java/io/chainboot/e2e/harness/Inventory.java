package io.chainboot.e2e.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chainboot.events.BootStage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The inventory-service REST API as a user drives it (bearer token from {@code <state>/api-token}). */
public final class Inventory {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A stage a boot reached and when. */
    public record StageAt(BootStage stage, Instant at) {
    }

    /** Where the inventory API answers and how to call it: {@link Chainboot}, or a compose stack's edge. */
    public interface Api {
        /** An HTTP request; {@code auth}: with the admin API token. */
        Chainboot.Http http(String method, String url, String jsonBody, boolean auth);

        String inventoryUrl(String path);
    }

    private final Api cb;

    public Inventory(Chainboot cb) {
        this(new Api() {
            @Override
            public Chainboot.Http http(String method, String url, String jsonBody, boolean auth) {
                return cb.http(method, url, jsonBody, auth);
            }

            @Override
            public String inventoryUrl(String path) {
                return cb.inventoryUrl(path);
            }
        });
    }

    public Inventory(Api api) {
        this.cb = api;
    }

    /** Registers (or updates) a machine with the sanboot profile and a disk assignment. */
    public void registerSanboot(String mac, String hostname, String diskKind, String image, boolean chap) {
        ObjectNode spec = JSON.createObjectNode();
        spec.put("mac", mac);
        if (hostname != null) {
            spec.put("hostname", hostname);
        }
        spec.put("profile", "sanboot");
        spec.put("netboot", true);
        ObjectNode disk = spec.putObject("disk");
        disk.put("kind", diskKind);
        disk.put("image", image);
        if (chap) {
            spec.putObject("chap").put("enabled", true).put("mutual", false);
        }
        Chainboot.Http r = cb.http("PUT", cb.inventoryUrl("/api/machines/" + mac), spec.toString(), true);
        if (!r.ok()) {
            throw new IllegalStateException("registering " + mac + " failed: HTTP " + r.status() + " " + r.body());
        }
    }

    /** Registers (or updates) a machine with {@code profile}, {@code labels} and no disk. */
    public void registerLabelled(String mac, String hostname, String profile, java.util.Map<String, String> labels) {
        ObjectNode spec = JSON.createObjectNode();
        spec.put("mac", mac);
        spec.put("hostname", hostname);
        spec.put("profile", profile);
        spec.put("netboot", true);
        ObjectNode l = spec.putObject("labels");
        labels.forEach(l::put);
        Chainboot.Http r = cb.http("PUT", cb.inventoryUrl("/api/machines/" + mac), spec.toString(), true);
        if (!r.ok()) {
            throw new IllegalStateException("registering " + mac + " failed: HTTP " + r.status() + " " + r.body());
        }
    }

    /** Registers (or updates) a machine with {@code profile}; {@code image} null = no disk assignment. */
    public void register(String mac, String hostname, String profile, String diskKind, String image) {
        ObjectNode spec = JSON.createObjectNode();
        spec.put("mac", mac);
        if (hostname != null) {
            spec.put("hostname", hostname);
        }
        spec.put("profile", profile);
        spec.put("netboot", true);
        if (image != null) {
            ObjectNode disk = spec.putObject("disk");
            disk.put("kind", diskKind);
            disk.put("image", image);
        }
        Chainboot.Http r = cb.http("PUT", cb.inventoryUrl("/api/machines/" + mac), spec.toString(), true);
        if (!r.ok()) {
            throw new IllegalStateException("registering " + mac + " failed: HTTP " + r.status() + " " + r.body());
        }
    }

    /** The current stage of the machine's latest boot attempt (e.g. SCRIPT, OS_RUNNING, STALLED), empty if none. */
    public Optional<BootStage> latestStage(String mac) {
        JsonNode root = parse(timelineJson(mac));
        JsonNode latest = root.isArray() && root.size() > 0 ? root.get(0) : null;
        return latest == null || !latest.hasNonNull("stage") ? Optional.empty() : stageOf(latest.get("stage").asText());
    }

    public JsonNode machine(String mac) {
        Chainboot.Http r = cb.http("GET", cb.inventoryUrl("/api/machines/" + mac), null, true);
        return r.ok() ? parse(r.body()) : JSON.createObjectNode();
    }

    /** The JSON of the machine's latest boot attempt ({@code GET /api/machines/{mac}/boots?limit=1}, newest first). */
    public String timelineJson(String mac) {
        Chainboot.Http r = cb.http("GET", cb.inventoryUrl("/api/machines/" + mac + "/boots?limit=1"), null, true);
        return r.ok() ? r.body() : "HTTP " + r.status() + " " + r.body();
    }

    /** The stages the machine's latest boot attempt reached ({@code reached}: stage → first time), in time order. */
    public List<StageAt> latestStages(String mac) {
        JsonNode root = parse(timelineJson(mac));
        List<StageAt> out = new ArrayList<>();
        JsonNode latest = root.isArray() && root.size() > 0 ? root.get(0) : null;
        JsonNode reached = latest == null ? null : latest.get("reached");
        if (reached != null && reached.isObject()) {
            reached.fields().forEachRemaining(e -> {
                Optional<BootStage> stage = stageOf(e.getKey());
                if (stage.isPresent() && e.getValue().isTextual()) {
                    try {
                        out.add(new StageAt(stage.get(), Instant.parse(e.getValue().asText())));
                    } catch (RuntimeException ignored) {
                        // not a time: not a reached stage
                    }
                }
            });
        }
        out.sort(Comparator.comparing(StageAt::at));
        return out;
    }

    /** Polls until the latest boot shows {@code stage} or the timeout passes; returns what it last saw. */
    public List<StageAt> awaitStage(String mac, BootStage stage, Duration timeout) {
        return awaitStage(mac, stage, timeout, Instant.EPOCH);
    }

    /**
     * Polls until the latest boot shows {@code stage} at or after {@code notBefore} (a machine that
     * boots again starts a new attempt) or the timeout passes; returns what it last saw.
     */
    public List<StageAt> awaitStage(String mac, BootStage stage, Duration timeout, Instant notBefore) {
        long end = System.nanoTime() + timeout.toNanos();
        List<StageAt> seen = latestStages(mac);
        while (seen.stream().noneMatch(s -> s.stage() == stage && !s.at().isBefore(notBefore)) && System.nanoTime() < end) {
            TestNamespace.sleep(500);
            seen = latestStages(mac);
        }
        return seen;
    }

    /**
     * Polls until {@code done} holds for the latest boot's stages or the timeout passes; returns what
     * it last saw. Events of one boot reach the inventory from several services, each on its own, so
     * after an outage one stage can arrive long after a later one.
     */
    public List<StageAt> awaitStages(String mac, Duration timeout, java.util.function.Predicate<List<StageAt>> done) {
        long end = System.nanoTime() + timeout.toNanos();
        List<StageAt> seen = latestStages(mac);
        while (!done.test(seen) && System.nanoTime() < end) {
            TestNamespace.sleep(500);
            seen = latestStages(mac);
        }
        return seen;
    }

    private static Optional<BootStage> stageOf(String name) {
        try {
            return Optional.of(BootStage.valueOf(name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }
}
