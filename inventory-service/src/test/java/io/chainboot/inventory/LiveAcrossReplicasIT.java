package io.chainboot.inventory;

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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Live for every change from any source" with two inventory replicas (as docker-compose scales
 * it): two packaged inventory-service processes on one PostgreSQL and one Kafka. A console's
 * stream on replica B shows a machine created, changed and deleted through replica A, and a token
 * created there; a boot event, consumed by whichever replica owns its partition, shows on the
 * streams of both. The streams are read as a browser's EventSource reads them (server-sent events
 * over HTTP/1.1, java.net.http).
 */
class LiveAcrossReplicasIT {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static PostgresServer pg;
    static Path dir;
    static InventoryProcess a;
    static InventoryProcess b;

    @BeforeAll
    static void twoReplicas() throws Exception {
        dir = Files.createDirectories(Path.of("target", "it-live-" + ProcessHandle.current().pid()));
        pg = new PostgresServer(dir.resolve("pg"), Ports.free(), true).start(Duration.ofSeconds(60));
        a = replica("replica-a").start(Duration.ofSeconds(180));
        b = replica("replica-b").start(Duration.ofSeconds(180));
    }

    @AfterAll
    static void cleanup() throws Exception {
        for (InventoryProcess p : new InventoryProcess[] {a, b}) {
            if (p != null) {
                p.close();
            }
        }
        if (pg != null) {
            pg.close();
        }
    }

    static InventoryProcess replica(String name) {
        return InventoryProcess.packaged(name, dir.resolve(name + ".log"), pg);
    }

    /** An open {@code /api/stream}: every line received, in order. */
    static final class Stream {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> response;

        Stream(InventoryProcess on) {
            response = HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + on.port() + "/api/stream"))
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
            response.thenAccept(r -> CompletableFuture.runAsync(() -> r.body().forEach(lines::add)));
        }

        /** Waits until a line matches; fails naming what was received. */
        String await(String what, Predicate<String> line, Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                for (String l : lines) {
                    if (line.test(l)) {
                        return l;
                    }
                }
                Thread.sleep(50);
            }
            throw new AssertionError(what + " not on the stream in " + timeout + "; received:\n" + String.join("\n", lines));
        }

        void close() {
            response.thenAccept(r -> r.body().close());
        }
    }

    static int write(InventoryProcess on, String method, String path, String type, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + on.port() + path))
                .header("Authorization", "Bearer it").timeout(Duration.ofSeconds(20));
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            r.header("Content-Type", type);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aChangeMadeThroughOneReplicaShowsOnAConsoleOfTheOther() throws Exception {
        Stream onB = new Stream(b);
        Stream onA = new Stream(a);
        try {
            onB.await("the first ping", l -> l.startsWith("event:") && l.contains("ping"), Duration.ofSeconds(30));
            onA.await("the first ping", l -> l.startsWith("event:") && l.contains("ping"), Duration.ofSeconds(30));
            // B's listening connection comes up shortly after B answers: until a change made on A shows on B,
            // write again (the only wait; every change after it must show at once)
            String warm = "52:54:00:1e:00:00";
            assertThat(write(a, "POST", "/api/machines", "application/json", "{\"mac\":\"" + warm + "\",\"hostname\":\"warm-0\"}"))
                    .isEqualTo(201);
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            int n = 0;
            while (onB.lines.stream().noneMatch(l -> l.contains("warm-")) && System.nanoTime() < end) {
                Thread.sleep(1000);
                write(a, "PATCH", "/api/machines/" + warm, "application/merge-patch+json", "{\"hostname\":\"warm-" + (++n) + "\"}");
            }
            onB.await("a warm-up write made on A", l -> l.contains("warm-"), Duration.ofSeconds(1));

            String mac = "52:54:00:1e:00:01";
            assertThat(write(a, "POST", "/api/machines", "application/json", "{\"mac\":\"" + mac + "\",\"hostname\":\"made-on-a\"}"))
                    .isEqualTo(201);
            onB.await("the machine created on A", l -> l.startsWith("data:") && l.contains(mac) && l.contains("made-on-a"), Duration.ofSeconds(15));
            assertThat(write(a, "PATCH", "/api/machines/" + mac, "application/merge-patch+json", "{\"hostname\":\"renamed-on-a\"}"))
                    .isEqualTo(200);
            onB.await("the machine changed on A", l -> l.startsWith("data:") && l.contains(mac) && l.contains("renamed-on-a"), Duration.ofSeconds(15));
            assertThat(write(a, "POST", "/api/tokens", "application/json", "{\"name\":\"made on a\",\"role\":\"viewer\"}")).isEqualTo(201);
            onB.await("the token created on A", l -> l.startsWith("data:") && l.contains("\"kind\":\"token\"") && l.contains("\"POST\""),
                    Duration.ofSeconds(15));
            assertThat(write(a, "DELETE", "/api/machines/" + mac, null, null)).isEqualTo(204);
            onB.await("the machine deleted on A", l -> l.startsWith("data:") && l.contains("{\"mac\":\"" + mac + "\"}"), Duration.ofSeconds(15));

            // a boot: whichever replica consumes its partition, both consoles show the machine's stage
            MacAddress booted = MacAddress.parse("52:54:00:1e:00:02");
            try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(KafkaBroker.shared().bootstrapServers())) {
                for (BootEvent e : Events.fullBoot(booted, Ipv4Address.parse("10.30.0.2"), Instant.now(), "sanboot")) {
                    producer.send(new ProducerRecord<>(Topics.BOOT_EVENTS, e.key(), EventJson.encode(e)));
                }
                producer.flush();
            }
            for (Stream s : List.of(onA, onB)) {
                s.await("the booted machine at OS_RUNNING", l -> l.startsWith("data:") && l.contains(booted.toString())
                        && l.contains("OS_RUNNING"), Duration.ofSeconds(60));
            }
        } finally {
            onA.close();
            onB.close();
        }
    }
}
