package io.chainboot.inventory;

import io.chainboot.common.testing.Eventually;
import io.chainboot.events.BootEvent;
import io.chainboot.events.EventJson;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.Topics;
import io.chainboot.infra.KafkaBroker;
import io.chainboot.infra.Ports;
import io.chainboot.infra.PostgresServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged service as a child process on the real broker and a dedicated real PostgreSQL:
 * <ol>
 *   <li>killed with SIGKILL in the middle of a stream and started again: every event stored exactly
 *   once (offsets are committed only after the DB transaction, and re-delivered events are
 *   duplicates by id), every machine registered once and at OS_RUNNING;</li>
 *   <li>PostgreSQL stopped while events keep coming, then started again: the service stays up,
 *   resumes and catches up. The outage lasts {@code -Dinventory.it.outage-seconds} (default 10;
 *   the 30 s behaves identically: the consumer holds the batch and retries with back-off
 *   capped at 5 s, whatever the length).</li>
 * </ol>
 */
class CrashAndOutageIT {
    static PostgresServer pg;
    static KafkaProducer<String, byte[]> producer;
    static Path dir;
    static InventoryProcess app;
    static final Set<UUID> sent = new HashSet<>();

    @BeforeAll
    static void infra() throws Exception {
        dir = Files.createDirectories(Path.of("target", "it-" + ProcessHandle.current().pid()));
        pg = new PostgresServer(dir.resolve("pg"), Ports.free(), true).start(Duration.ofSeconds(60));
        producer = KafkaClients.producer(KafkaBroker.shared().bootstrapServers());
    }

    @AfterAll
    static void cleanup() throws Exception {
        if (app != null) {
            app.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    static InventoryProcess newApp(String name) {
        return InventoryProcess.packaged(name, dir.resolve(name + ".log"), pg);
    }

    /** Full boots of {@code machines} machines starting at {@code first}, interleaved as they would be on a LAN. */
    static List<BootEvent> boots(int first, int machines) {
        List<List<BootEvent>> each = new ArrayList<>();
        Instant t0 = Instant.now();
        for (int i = 0; i < machines; i++) {
            MacAddress mac = new MacAddress(0x0200_0000_0000L + first + i);
            each.add(Events.fullBoot(mac, new Ipv4Address(0x0A40_0000 + first + i), t0.plusMillis(i), "it"));
        }
        List<BootEvent> out = new ArrayList<>();
        for (int step = 0; step < each.get(0).size(); step++) {
            for (List<BootEvent> b : each) {
                out.add(b.get(step));
            }
        }
        return out;
    }

    /** Sends without waiting for each acknowledgement, then flushes: the consumer gets them in a burst. */
    static void burst(List<BootEvent> events) {
        for (BootEvent e : events) {
            producer.send(new ProducerRecord<>(Topics.BOOT_EVENTS, e.key(), EventJson.encode(e)));
            sent.add(e.id());
        }
        producer.flush();
    }

    static void send(List<BootEvent> events) {
        KafkaClients.send(producer, events);
        events.forEach(e -> sent.add(e.id()));
    }

    @Test
    void killedMidStreamThenPostgresOutageNothingLostNothingDoubled() throws Exception {
        app = newApp("first").start(Duration.ofSeconds(120));
        List<BootEvent> stream = boots(0, 300); // 2,700 events
        int cut = stream.size() * 2 / 3;
        burst(stream.subList(0, cut)); // all at once, so the service is still storing them...
        awaitStored(1); // ... when its first batch is in
        app.kill(); // ... and dies mid-stream, without a goodbye
        long storedAtKill = storedBootEvents();
        assertThat(storedAtKill).as("the kill landed mid-stream: some of the first %d events stored, not all", cut)
                .isPositive().isLessThan(cut);
        send(stream.subList(cut, stream.size()));
        app = newApp("second").start(Duration.ofSeconds(120));
        awaitAll(300);

        // PostgreSQL goes away while the boots keep coming
        List<BootEvent> more = boots(1000, 100);
        send(more.subList(0, 300));
        pg.close();
        long outage = Long.getLong("inventory.it.outage-seconds", 10);
        long end = System.nanoTime() + Duration.ofSeconds(outage).toNanos();
        int i = 300;
        while (System.nanoTime() < end) {
            int to = Math.min(i + 50, more.size());
            send(more.subList(i, to));
            i = to;
            Thread.sleep(Math.max(100, outage * 1000 / 12));
        }
        send(more.subList(i, more.size()));
        assertThat(app.isAlive()).as("the service survives the outage").isTrue();
        pg.start(Duration.ofSeconds(60));
        awaitAll(400);
        assertThat(app.get("/q/health/live").statusCode()).isEqualTo(200);
        assertThat(app.logText()).contains("PostgreSQL unavailable, retrying");
    }

    /** Every sent event stored exactly once; each machine registered once and at OS_RUNNING. */
    static void awaitAll(int machines) throws Exception {
        Eventually.until(() -> {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
                 Statement s = c.createStatement()) {
                Set<UUID> stored = new HashSet<>();
                try (ResultSet rs = s.executeQuery("select id from boot_event where type not like 'machine.%' and type <> 'boot.stalled'")) {
                    while (rs.next()) {
                        stored.add((UUID) rs.getObject(1));
                    }
                }
                long registered = scalar(s, "select count(*) from boot_event where type = 'machine.registered'");
                long running = scalar(s, "select count(*) from boot_attempt where latest and stage = 'OS_RUNNING'");
                long attempts = scalar(s, "select count(*) from boot_attempt");
                String state = "stored " + stored.size() + "/" + sent.size() + ", registered " + registered + ", running "
                        + running + ", attempts " + attempts;
                assertThat(stored.size() == sent.size() && running == machines).as(state).isTrue();
                assertThat(stored).isEqualTo(sent);
                assertThat(registered).as(state).isEqualTo(machines);
                assertThat(attempts).as(state).isEqualTo(machines);
                return true;
            }
        }, "caught up: every sent event stored once, " + machines + " machines at OS_RUNNING", Duration.ofSeconds(120));
    }

    static void awaitStored(long n) throws Exception {
        Eventually.until(() -> {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
                 Statement s = c.createStatement()) {
                return scalar(s, "select count(*) from boot_event") >= n;
            }
        }, n + " boot events stored", Duration.ofSeconds(60));
    }

    /** Boot events stored so far (registrations and verdicts the service derives left out). */
    static long storedBootEvents() throws java.sql.SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
             Statement s = c.createStatement()) {
            return scalar(s, "select count(*) from boot_event where type not like 'machine.%' and type <> 'boot.stalled'");
        }
    }

    static long scalar(Statement s, String sql) throws java.sql.SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
