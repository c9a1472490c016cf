package io.chainboot.inventory;

import io.chainboot.common.testing.Eventually;
import io.chainboot.events.BootEvent;
import io.chainboot.events.BootStalled;
import io.chainboot.events.ClientKind;
import io.chainboot.events.EventJson;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineEvents;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.TftpEvents;
import io.chainboot.events.Topics;
import io.chainboot.infra.testing.KafkaResource;
import io.chainboot.inventory.boot.Attempt;
import io.chainboot.inventory.boot.BootTracker;
import io.chainboot.inventory.boot.TrackedEvent;
import io.chainboot.inventory.ingest.EventStore;
import io.chainboot.inventory.machines.MachineService;
import io.chainboot.inventory.store.AttemptEntity;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.chainboot.inventory.machines.MachinesFile;
import io.chainboot.infra.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.equalTo;

/** inventory-service against the real Kafka broker and the real PostgreSQL (both child processes). */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(UpstreamFake.class)
class InventoryOnRealBrokerTest {
    static KafkaProducer<String, byte[]> producer;

    @Inject
    MachineService machineService;
    @Inject
    EventStore store;
    @Inject
    MeterRegistry registry;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    String dbUser;
    @ConfigProperty(name = "quarkus.datasource.password")
    String dbPassword;

    @BeforeEach
    void producer() {
        if (producer == null) {
            producer = KafkaClients.producer(bootstrap);
        }
    }

    @AfterAll
    static void close() {
        if (producer != null) {
            producer.close();
            producer = null;
        }
    }

    static MacAddress mac(int n) {
        return new MacAddress(0x5254_00AB_0000L + n);
    }

    /** The foundation's acceptance check: a service's event, through the broker, lands in PostgreSQL. */
    @Test
    void anEventProducedToTheBrokerIsPersistedInPostgres() throws Exception {
        BootEvent e = Events.acked(mac(1), Ipv4Address.parse("10.1.0.1"), ClientKind.FIRMWARE, Instant.now());
        KafkaClients.send(producer, List.of(e));
        await(() -> {
            try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, dbPassword);
                 PreparedStatement s = c.prepareStatement("select type, mac, payload from boot_event where id = ?")) {
                s.setObject(1, e.id());
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    assertThat(rs.getString("type")).isEqualTo("dhcp.acked");
                    assertThat(rs.getString("mac")).isEqualTo(mac(1).toString());
                    assertThat(EventJson.decodeEvent(rs.getString("payload").getBytes(StandardCharsets.UTF_8)).orElseThrow())
                            .isEqualTo(e);
                    return true;
                }
            }
        });
    }

    /**
     * A consumed event's payload is the JSON it arrived as, byte for byte — not the event encoded
     * again: a newer producer's extra field, its own field order and spacing are kept.
     */
    @Test
    void aConsumedEventIsStoredAsItsWireJson() throws Exception {
        BootEvent e = Events.acked(mac(40), Ipv4Address.parse("10.1.0.40"), ClientKind.FIRMWARE, Instant.now());
        String encoded = new String(EventJson.encode(e), StandardCharsets.UTF_8);
        String wire = "{\"addedByANewerProducer\": [1, 2], " + encoded.substring(1);
        assertThat(EventJson.decodeEvent(wire.getBytes(StandardCharsets.UTF_8)).orElseThrow()).isEqualTo(e);
        producer.send(new ProducerRecord<>(Topics.BOOT_EVENTS, e.key(), wire.getBytes(StandardCharsets.UTF_8))).get();
        await(() -> {
            try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, dbPassword);
                 PreparedStatement s = c.prepareStatement("select payload from boot_event where id = ?")) {
                s.setObject(1, e.id());
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    assertThat(rs.getString("payload")).isEqualTo(wire);
                    return true;
                }
            }
        });
    }

    @Test
    void aFullSyntheticBootWalksAllStages() {
        MacAddress m = mac(2);
        Instant t0 = Instant.now().minusSeconds(10);
        List<BootEvent> boot = Events.fullBoot(m, Ipv4Address.parse("10.1.0.2"), t0, "sanboot");
        KafkaClients.send(producer, boot);
        await(() -> "OS_RUNNING".equals(given().get("/api/machines/" + m).then().extract().path("stage")));

        JsonPath machine = given().get("/api/machines/" + m).then().statusCode(200).extract().jsonPath();
        assertThat(machine.getString("attemptId")).isEqualTo(boot.get(0).id().toString());
        assertThat(machine.getString("origin")).isEqualTo("discovered");
        assertThat(machine.getString("ip")).isEqualTo("10.1.0.2");
        assertThat(machine.getLong("bootMillis")).isEqualTo(9000L);

        JsonPath timeline = given().get("/api/boots/" + boot.get(0).id()).then().statusCode(200).extract().jsonPath();
        assertThat(timeline.getMap("reached").keySet()).containsExactly("PXE_DHCP", "FIRMWARE_LOADED", "IPXE_DHCP",
                "SCRIPT", "SAN_ATTACHED", "OS_RUNNING");
        assertThat(timeline.getMap("stageMillis")).containsEntry("PXE_DHCP", 400).containsEntry("SCRIPT", 300)
                .containsEntry("SAN_ATTACHED", 7500);
        List<String> types = timeline.getList("events.type");
        assertThat(types).containsSubsequence("dhcp.offered", "dhcp.acked", "tftp.completed", "dhcp.offered", "dhcp.acked",
                "script.rendered", "iscsi.login", "iscsi.lun.attached", "iscsi.login");

        JsonPath stats = given().get("/api/stats").then().statusCode(200).extract().jsonPath();
        assertThat(stats.getList("bootTimes.profile")).contains("sanboot");

        // first sight registered the machine: machine.registered relayed from the outbox to the
        // boot-events topic (once), spec on the compacted topic
        await(() -> KafkaClients.readEvents(bootstrap, Duration.ofSeconds(1)).stream()
                .anyMatch(p -> p instanceof MachineEvents.Registered r && r.mac().equals(m)));
        assertThat(KafkaClients.readEvents(bootstrap, Duration.ofSeconds(1)))
                .filteredOn(p -> p instanceof MachineEvents.Registered r && r.mac().equals(m)).hasSize(1);
        await(() -> KafkaClients.readAll(bootstrap, Topics.MACHINES, Duration.ofSeconds(1)).containsKey(m.toString()));
    }

    @Test
    void duplicatesLateEventsAndBadRecordsAreHandled() throws Exception {
        MacAddress m = mac(3);
        Ipv4Address ip = Ipv4Address.parse("10.1.0.3");
        Instant t0 = Instant.now().minusSeconds(5);
        BootEvent fw = Events.acked(m, ip, ClientKind.FIRMWARE, t0);
        BootEvent script = Events.script(m, ip, "linux", t0.plusMillis(500));
        BootEvent ipxe = Events.acked(m, ip, ClientKind.IPXE, t0.plusMillis(300)); // arrives last, happened second
        producer.send(new ProducerRecord<>(Topics.BOOT_EVENTS, m.toString(), "{not json".getBytes())).get();
        producer.send(new ProducerRecord<>(Topics.BOOT_EVENTS, m.toString(), "{\"type\":\"dhcp.future\"}".getBytes())).get();
        KafkaClients.send(producer, List.of(fw, script, fw, script, ipxe, ipxe));
        await(() -> given().get("/api/boots/" + fw.id()).then().extract().statusCode() == 200
                && given().get("/api/boots/" + fw.id()).then().extract().jsonPath().getList("events.type").stream()
                .filter(x -> !x.toString().startsWith("machine.")).count() >= 3);
        JsonPath t = given().get("/api/boots/" + fw.id()).then().extract().jsonPath();
        assertThat(t.getList("events.type").stream().filter(x -> !x.toString().startsWith("machine.")))
                .containsExactly("dhcp.acked", "dhcp.acked", "script.rendered");
        assertThat(t.getMap("reached").keySet()).containsExactly("PXE_DHCP", "IPXE_DHCP", "SCRIPT");
        assertThat(t.getString("stage")).isEqualTo("SCRIPT");
        assertThat(given().get("/q/metrics").asString()).containsPattern("chainboot_inventory_events_invalid_total [1-9]");
    }

    @Test
    void anEventKeyedByIpIsCorrelatedThroughTheLatestLease() {
        MacAddress m = mac(4);
        Ipv4Address ip = Ipv4Address.parse("10.1.0.4");
        Instant t0 = Instant.now().minusSeconds(5);
        TftpEvents.Completed noMac = new TftpEvents.Completed(UUID.randomUUID(), t0.plusMillis(200), Events.TFTP, null, ip,
                "undionly.kpxe", 1, 1, 512, 1, 0);
        BootEvent fw = Events.acked(m, ip, ClientKind.FIRMWARE, t0);
        // the IP-keyed event can land before the lease (another partition): it waits, then is correlated
        KafkaClients.send(producer, List.of(noMac));
        KafkaClients.send(producer, List.of(fw));
        await(() -> "FIRMWARE_LOADED".equals(given().get("/api/machines/" + m).then().extract().path("stage")));
        TftpEvents.Completed after = new TftpEvents.Completed(UUID.randomUUID(), t0.plusMillis(300), Events.TFTP, null, ip,
                "ipxe.efi", 1, 1, 512, 1, 0);
        KafkaClients.send(producer, List.of(after));
        await(() -> given().get("/api/boots/" + fw.id()).then().extract().jsonPath().getList("events.type").stream()
                .filter(x -> !x.toString().startsWith("machine.")).count() == 3);
    }

    @Test
    void failureReasonIsShownAndCountedByStage() {
        MacAddress m = mac(5);
        Ipv4Address ip = Ipv4Address.parse("10.1.0.5");
        Instant t0 = Instant.now().minusSeconds(5);
        KafkaClients.send(producer, List.of(Events.acked(m, ip, ClientKind.FIRMWARE, t0), Events.tftpFailed(m, ip, t0.plusMillis(10))));
        await(() -> "FAILED".equals(given().get("/api/machines/" + m).then().extract().path("stage")));
        given().get("/api/machines/" + m).then().body("reason", equalTo("tftp.failed: undionly.kpxe: file not found"))
                .body("progress", equalTo("PXE_DHCP"));
        Map<String, Integer> failures = given().get("/api/stats").then().extract().jsonPath().getMap("failuresByStage");
        assertThat(failures.get("PXE_DHCP")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aBootWithNoProgressPastItsThresholdIsStalledAndPublished() {
        MacAddress m = mac(6);
        Ipv4Address ip = Ipv4Address.parse("10.1.0.6");
        BootEvent ipxe = Events.acked(m, ip, ClientKind.IPXE, Instant.now());
        KafkaClients.send(producer, List.of(ipxe)); // chainboot.inventory.stall.ipxe-dhcp=2s in tests
        await(() -> "STALLED".equals(given().get("/api/machines/" + m).then().extract().path("stage")));
        // written to the outbox with the STALLED state, relayed to the boot-events topic once
        await(() -> KafkaClients.readEvents(bootstrap, Duration.ofSeconds(1)).stream()
                .anyMatch(p -> p instanceof BootStalled s && s.mac().equals(m)));
        assertThat(KafkaClients.readEvents(bootstrap, Duration.ofSeconds(1)))
                .filteredOn(p -> p instanceof BootStalled s && s.mac().equals(m))
                .singleElement().satisfies(p -> {
                    BootStalled s = (BootStalled) p;
                    assertThat(s.attemptId()).isEqualTo(ipxe.id().toString());
                    assertThat(s.stage().name()).isEqualTo("IPXE_DHCP");
                    assertThat(s.thresholdSeconds()).isEqualTo(2);
                    assertThat(s.ip()).isEqualTo(ip);
                });
        given().get("/api/machines/" + m).then().body("progress", equalTo("IPXE_DHCP"));
    }

    @Test
    void machineCrudNeedsTheTokenAndReachesTheCompactedTopic() {
        MacAddress m = mac(7);
        String body = "{\"mac\":\"" + m.toHyphenated() + "\",\"hostname\":\"ws07\",\"profile\":\"sanboot\","
                + "\"labels\":{\"room\":\"lab\"},\"reservedIp\":\"10.1.0.7\",\"disk\":{\"kind\":\"OVERLAY\",\"image\":\"win11\"},"
                + "\"chap\":{\"enabled\":true,\"mutual\":true},\"bootFile\":\"ipxe.efi\",\"params\":{\"k\":\"v\"}}";
        given().contentType(ContentType.JSON).body(body).post("/api/machines").then().statusCode(401);
        given().auth().oauth2("wrong").contentType(ContentType.JSON).body(body).post("/api/machines").then().statusCode(401);
        given().auth().oauth2("test-token").contentType(ContentType.JSON).body(body).post("/api/machines").then().statusCode(201)
                .body("hostname", equalTo("ws07")).body("spec.disk.image", equalTo("win11"));
        given().auth().oauth2("test-token").contentType(ContentType.JSON).body(body).post("/api/machines").then().statusCode(409);
        given().auth().oauth2("test-token").contentType(ContentType.JSON).body("{\"hostname\":\"-bad\"}")
                .put("/api/machines/" + m).then().statusCode(400);
        given().auth().oauth2("test-token").contentType(ContentType.JSON).body("{\"hostname\":\"ws07b\",\"profile\":\"linux\"}")
                .put("/api/machines/" + m).then().statusCode(200).body("profile", equalTo("linux"));
        await(() -> {
            byte[] v = KafkaClients.readAll(bootstrap, Topics.MACHINES, Duration.ofSeconds(1)).get(m.toString());
            return v != null && EventJson.decodeMachine(v).orElseThrow().hostname().equals("ws07b");
        });
        given().delete("/api/machines/" + m).then().statusCode(401);
        given().auth().oauth2("test-token").delete("/api/machines/" + m).then().statusCode(204);
        given().get("/api/machines/" + m).then().statusCode(404);
        await(() -> {
            Map<String, byte[]> all = KafkaClients.readAll(bootstrap, Topics.MACHINES, Duration.ofSeconds(1));
            return all.containsKey(m.toString()) && all.get(m.toString()) == null;
        });
        given().get("/q/openapi").then().statusCode(200);
    }

    @Test
    void pruningTheMachinesFileDeletesOnlyWhatTheFileCreated() {
        MacAddress kept = mac(20);
        MacAddress dropped = mac(21);
        MacAddress viaApi = mac(22);
        MacAddress discovered = mac(23);
        Instant now = Instant.now();
        // created by the API first: declaring it in the file later does not make it the file's
        machineService.put(MachineSpec.discovered(viaApi, null, now), "api");
        MachinesFile.apply(List.of(named(kept, "kept", now),
                named(dropped, "dropped", now),
                named(viaApi, "declared", now)), false, machineService);
        given().get("/api/machines/" + viaApi).then().statusCode(200).body("hostname", equalTo("declared"))
                .body("origin", equalTo("api"));
        KafkaClients.send(producer, List.of(Events.acked(discovered, Ipv4Address.parse("10.1.0.23"), ClientKind.FIRMWARE, now)));
        await(() -> given().get("/api/machines/" + discovered).then().extract().statusCode() == 200);

        // without prune, machines missing from the file stay
        assertThat(MachinesFile.apply(List.of(), false, machineService)[1]).isZero();
        given().get("/api/machines/" + dropped).then().statusCode(200);

        int[] result = MachinesFile.apply(List.of(named(kept, "kept", now)), true,
                machineService);
        assertThat(result[1]).isEqualTo(1);
        given().get("/api/machines/" + dropped).then().statusCode(404);
        given().get("/api/machines/" + kept).then().statusCode(200).body("origin", equalTo("file"));
        given().get("/api/machines/" + viaApi).then().statusCode(200).body("origin", equalTo("api"));
        given().get("/api/machines/" + discovered).then().statusCode(200).body("origin", equalTo("discovered"));
        await(() -> {
            Map<String, byte[]> all = KafkaClients.readAll(bootstrap, Topics.MACHINES, Duration.ofSeconds(1));
            return all.containsKey(dropped.toString()) && all.get(dropped.toString()) == null
                    && all.get(kept.toString()) != null && all.get(viaApi.toString()) != null;
        });
    }

    static MachineSpec named(MacAddress mac, String hostname, Instant now) {
        return new MachineSpec(mac, null, hostname, null, null, Map.of(), Map.of(), null, null, true, null, now);
    }

    /** A known machine's boot updates only what was seen of it (IP, arch, last seen), never what the API set. */
    @Test
    void bootEventsOfAKnownMachineUpdateWhatWasSeenNotItsSpec() {
        MacAddress m = mac(8);
        given().auth().oauth2("test-token").contentType(ContentType.JSON)
                .body("{\"mac\":\"" + m + "\",\"hostname\":\"ws08\",\"profile\":\"linux\"}")
                .post("/api/machines").then().statusCode(201);
        Instant t0 = Instant.now();
        KafkaClients.send(producer, List.of(Events.offered(m, Ipv4Address.parse("10.1.0.8"), ClientKind.FIRMWARE, t0)));
        await(() -> "10.1.0.8".equals(given().get("/api/machines/" + m).then().extract().path("ip")));
        JsonPath machine = given().get("/api/machines/" + m).then().statusCode(200).extract().jsonPath();
        assertThat(machine.getString("hostname")).isEqualTo("ws08");
        assertThat(machine.getString("profile")).isEqualTo("linux");
        assertThat(machine.getString("origin")).isEqualTo("api");
        assertThat(machine.getString("vendorClass")).startsWith("PXEClient");
        assertThat(machine.getString("stage")).isEqualTo("PXE_DHCP");
        assertThat(Instant.parse(machine.getString("lastSeen"))).isCloseTo(t0, within(1, java.time.temporal.ChronoUnit.MILLIS));
    }


    /**
     * Two machines at SCRIPT for longer than its threshold (120 s): the one whose script attaches its
     * SAN disk is declared stalled; the one handed off to an installer over HTTP (a script without
     * SAN) is not — it stays at SCRIPT, an installer waiting on a person.
     */
    @Test
    void anAttemptHandedOffByAScriptWithoutSanIsNotStalled() {
        MacAddress san = mac(10);
        MacAddress installer = mac(11);
        Ipv4Address ipSan = Ipv4Address.parse("10.1.0.10");
        Ipv4Address ipInstaller = Ipv4Address.parse("10.1.0.11");
        Instant t0 = Instant.now().minusSeconds(300);
        store.ingest(List.of(Events.acked(installer, ipInstaller, ClientKind.IPXE, t0),
                Events.script(installer, ipInstaller, "debian-installer", t0.plusSeconds(1), false),
                Events.acked(san, ipSan, ClientKind.IPXE, t0),
                Events.script(san, ipSan, "sanboot", t0.plusSeconds(1), true)));
        await(() -> "STALLED".equals(given().get("/api/machines/" + san).then().extract().path("stage")));
        given().get("/api/machines/" + san).then().body("progress", equalTo("SCRIPT"));
        try {
            Thread.sleep(1000); // four more passes of the detector (every 250 ms in tests)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        given().get("/api/machines/" + installer).then().body("stage", equalTo("SCRIPT"));
        assertThat(QuarkusTransaction.requiringNew().call(() -> AttemptEntity.<AttemptEntity>list("mac", installer.toString()))
                .get(0).handedOff).isTrue();
    }

    /**
     * A stall verdict is stored once per attempt and stage: a second one (two leaders during a
     * hand-over) or one that progress overtook is dropped, not stored or published.
     */
    @Test
    void aStallVerdictIsDeclaredOnceAndNotAfterProgress() {
        MacAddress m = mac(9);
        Ipv4Address ip = Ipv4Address.parse("10.1.0.9");
        Instant t0 = Instant.now().plus(Duration.ofHours(2)); // ahead of now: the detector itself stays out
        BootEvent dhcp = Events.acked(m, ip, ClientKind.IPXE, t0);
        store.ingest(List.of(dhcp));
        BootStalled first = new BootStalled(UUID.randomUUID(), t0.plusSeconds(61), new io.chainboot.events.EventSource(
                "inventory-service", "a"), m, ip, io.chainboot.events.BootStage.IPXE_DHCP, t0, 60, dhcp.id().toString());
        BootStalled second = new BootStalled(UUID.randomUUID(), t0.plusSeconds(62), new io.chainboot.events.EventSource(
                "inventory-service", "b"), m, ip, io.chainboot.events.BootStage.IPXE_DHCP, t0, 60, dhcp.id().toString());
        assertThat(store.ingest(List.of(first), true).stored()).isEqualTo(1);
        assertThat(store.ingest(List.of(second), true).stored()).isZero();
        given().get("/api/machines/" + m).then().body("stage", equalTo("STALLED"));

        store.ingest(List.of(Events.script(m, ip, "p", t0.plusSeconds(70))));
        BootStalled overtaken = new BootStalled(UUID.randomUUID(), t0.plusSeconds(71), first.source(), m, ip,
                io.chainboot.events.BootStage.IPXE_DHCP, t0, 60, dhcp.id().toString());
        assertThat(store.ingest(List.of(overtaken), true).stored()).isZero();
        given().get("/api/machines/" + m).then().body("stage", equalTo("SCRIPT"));
        List<String> types = given().get("/api/boots/" + dhcp.id()).then().extract().jsonPath().getList("events.type");
        assertThat(types).filteredOn("boot.stalled"::equals).hasSize(1);
    }

    /**
     * Whatever the batches, the stored attempts are the replay of each machine's events: batches
     * that extend a timeline resume from the stored latest attempt, late events re-fold — both
     * paths are taken here, with ties, failures, stall verdicts and a redelivered batch.
     */
    @Test
    void storedAttemptsEqualAReplayOfEveryEventWhateverTheBatches() throws Exception {
        Random random = new Random(11);
        double resumed = registry.counter("chainboot.inventory.fold.resumed").count();
        double refolded = registry.counter("chainboot.inventory.fold.refolded").count();
        Instant t0 = Instant.now().plus(Duration.ofHours(1)); // ahead of now: no stall verdict of the detector's own
        Map<MacAddress, List<BootEvent>> byMachine = new HashMap<>();
        List<BootEvent> arrival = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            MacAddress m = mac(100 + i);
            List<BootEvent> events = new ArrayList<>(Events.randomTimeline(random, m, Ipv4Address.parse("10.1.1." + i), t0,
                    1 + random.nextInt(20)));
            if (i % 2 == 0) {
                events.sort(Comparator.comparing(BootEvent::time)); // in order: resumed; the odd ones arrive shuffled
            }
            byMachine.put(m, events);
        }
        // machines interleaved, each one's events in its own order (one partition per MAC)
        Map<MacAddress, Integer> next = new HashMap<>();
        List<MacAddress> pending = new ArrayList<>(byMachine.keySet());
        while (!pending.isEmpty()) {
            MacAddress m = pending.get(random.nextInt(pending.size()));
            int k = next.merge(m, 1, Integer::sum) - 1;
            arrival.add(byMachine.get(m).get(k));
            if (k + 1 == byMachine.get(m).size()) {
                pending.remove(m);
            }
        }
        List<List<BootEvent>> batches = new ArrayList<>();
        for (int i = 0; i < arrival.size(); ) {
            int n = Math.min(1 + random.nextInt(10), arrival.size() - i);
            batches.add(arrival.subList(i, i + n));
            i += n;
        }
        batches.add(batches.get(batches.size() / 2)); // a redelivery
        for (List<BootEvent> batch : batches) {
            store.ingest(batch);
        }

        for (Map.Entry<MacAddress, List<BootEvent>> machine : byMachine.entrySet()) {
            List<TrackedEvent> tracked = new ArrayList<>();
            for (BootEvent e : machine.getValue()) {
                tracked.add(new TrackedEvent(e, arrival.indexOf(e)));
            }
            List<Attempt> expected = BootTracker.replay(tracked);
            List<AttemptEntity> stored = QuarkusTransaction.requiringNew().call(() ->
                    AttemptEntity.<AttemptEntity>list("mac", machine.getKey().toString()));
            assertThat(stored.stream().map(a -> a.id + " " + a.stage + " from " + a.startedAt + (a.latest ? " latest" : "")))
                    .as("%s: %s", machine.getKey(), expected).hasSameSizeAs(expected);
            Map<UUID, AttemptEntity> rows = new HashMap<>();
            stored.forEach(a -> rows.put(a.id, a));
            for (int i = 0; i < expected.size(); i++) {
                Attempt a = expected.get(i);
                AttemptEntity row = rows.get(a.id());
                assertThat(row).as("%s attempt %d", machine.getKey(), i).isNotNull();
                assertThat(List.of(row.stage, row.progress, String.valueOf(row.reason), String.valueOf(row.profile),
                        row.normalLogins, row.latest, parse(row.reached), row.handedOff))
                        .as("%s attempt %d of %s", machine.getKey(), i, expected)
                        .containsExactly(a.stage().name(), a.progress().name(), String.valueOf(a.reason()),
                                String.valueOf(a.profile()), a.normalLogins(), i == expected.size() - 1, reached(a),
                                a.handedOff());
                // a timestamptz column keeps microseconds
                assertThat(Duration.between(row.stageSince, a.stageSince()).abs()).isLessThan(Duration.ofNanos(1000));
            }
        }
        assertThat(registry.counter("chainboot.inventory.fold.resumed").count()).isGreaterThan(resumed + 20);
        assertThat(registry.counter("chainboot.inventory.fold.refolded").count()).isGreaterThan(refolded + 5);
    }

    static Map<String, Instant> reached(Attempt a) {
        Map<String, Instant> m = new HashMap<>();
        a.reached().forEach((k, v) -> m.put(k.name(), v));
        return m;
    }

    static Map<String, Instant> parse(String reached) throws Exception {
        Map<String, Instant> m = new HashMap<>();
        EventJson.mapper().readTree(reached).properties().forEach(e -> m.put(e.getKey(), Instant.parse(e.getValue().asText())));
        return m;
    }

    static void await(Callable<Boolean> condition) {
        try {
            Eventually.until(condition::call, "the inventory shows it", Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
