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
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark, run by hand ({@code bench/inventory/run.sh}), not part of the suite: the packaged
 * service on the real broker and a durable (fsync on) PostgreSQL; {@code -Dbench.rate} events/s
 * (default 1,000) for {@code -Dbench.seconds} (default 60), as full boots generated step-major: every
 * machine's first event, then every machine's second, ... — so the first ~1/9 of the run is a
 * registration burst (1,000 new machines/s, a lab powering on), the rest ~one event of each of
 * hundreds of known machines per batch. Every
 * 100th event is followed: the time from handing it to the producer to {@code GET
 * /api/events/{id}} answering 200 (polled every 25 ms) is its publish → visible latency. Before
 * the measurement, {@code -Dbench.warmup.seconds} (default 60) of the same load on other
 * machines warm the service's JVM (0 = measure it cold): after 20 s, C2 was still compiling
 * the ingest path with 25-60 % of a core (top -H), on a host whose two cores also run the
 * broker, PostgreSQL and this producer.
 */
class InventoryBench {

    @Test
    void publishToVisibleLatency() throws Exception {
        int rate = Integer.getInteger("bench.rate", 1000);
        int seconds = Integer.getInteger("bench.seconds", 60);
        Path dir = Files.createDirectories(Path.of("target", "bench-" + ProcessHandle.current().pid()));
        int pgPort = Ports.free();
        // pg_stat_statements needs a restart to load: start once, configure, restart
        try (PostgresServer first = new PostgresServer(dir.resolve("pg"), pgPort, true).start(Duration.ofSeconds(60))) {
            sql(first, "alter system set shared_preload_libraries = 'pg_stat_statements'");
        }
        try (PostgresServer pg = new PostgresServer(dir.resolve("pg"), pgPort, true).start(Duration.ofSeconds(60));
             KafkaProducer<String, byte[]> producer = KafkaClients.producer(KafkaBroker.shared().bootstrapServers());
             InventoryProcess app = new InventoryProcess(Path.of(System.getProperty("inventory.app",
                     "target/quarkus-app/quarkus-run.jar")), dir.resolve("app.log"), Map.of(
                     "kafka.bootstrap.servers", KafkaBroker.shared().bootstrapServers(),
                     "quarkus.datasource.jdbc.url", pg.jdbcUrl(),
                     "quarkus.datasource.username", pg.username(),
                     "quarkus.datasource.password", pg.password(),
                     "quarkus.log.category.\"io.chainboot\".level", "WARN"))) {
            app.start(Duration.ofSeconds(120));
            warmUp(producer, app);
            long baseline = warmLoad(producer, app, rate, Integer.getInteger("bench.warmup.seconds", 60));
            sql(pg, "create extension if not exists pg_stat_statements");
            sql(pg, "select pg_stat_statements_reset()");

            // two polling threads, 25 ms apart per sample: the measurement must not become the load
            ScheduledExecutorService pollers = Executors.newScheduledThreadPool(2);
            ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
            // latencies by 10-s window of send time: shows whether a lag is a warm-up or steady
            Map<Integer, ConcurrentLinkedQueue<Long>> byWindow = new java.util.concurrent.ConcurrentHashMap<>();
            AtomicInteger lost = new AtomicInteger();
            int total = rate * seconds;
            int machines = total / 9 + 1;
            long start = System.nanoTime();
            int sent = offerStepMajor(producer, rate, total, 0x0600_0000_0000L, 0x0A80_0000, "bench", (e, at, index) -> {
                if (index % 100 == 0) {
                    follow(pollers, app, e, at, latencies, lost, byWindow, (int) ((at - start) / 10_000_000_000L));
                }
            });
            producer.flush();
            double achieved = sent / ((System.nanoTime() - start) / 1e9);
            long drainStart = System.nanoTime();
            String stats = "";
            long stored = 0;
            while (System.nanoTime() - drainStart < TimeUnit.SECONDS.toNanos(120)) {
                stats = app.get("/api/stats").body();
                if (stats.contains("\"events\":")) {
                    stored = Long.parseLong(stats.replaceAll(".*\"events\":(\\d+).*", "$1")) - baseline;
                    if (stored >= (long) sent + machines) { // plus one machine.registered per machine
                        break;
                    }
                }
                Thread.sleep(100);
            }
            double drain = (System.nanoTime() - drainStart) / 1e9;
            pollers.shutdown();
            pollers.awaitTermination(60, TimeUnit.SECONDS);
            String statements = statements(pg, stored);
            List<Long> l = new ArrayList<>(latencies);
            Collections.sort(l);
            String report = String.format("inventory bench: %d events offered at %d/s for %d s (achieved %.0f/s), %d machines%n"
                            + "publish -> visible in API (GET /api/events/{id}), %d samples: p50 %d ms, p90 %d ms, p99 %d ms, max %d ms, not visible in 30 s: %d%n"
                            + "%.1f s after the last send: %d events stored of %d (boot events + one machine.registered per machine)%n",
                    sent, rate, seconds, achieved, machines, l.size(), pct(l, 50), pct(l, 90), pct(l, 99),
                    l.isEmpty() ? -1 : l.get(l.size() - 1), lost.get(), drain, stored, (long) sent + machines)
                    + windows(byWindow) + batches(app) + statements;
            System.out.print(report);
            Files.writeString(Path.of(System.getProperty("bench.out", "target/inventory-bench.txt")), report);
        }
    }

    /** Called for each event handed to the producer: when ({@code System.nanoTime()}) and its index. */
    @FunctionalInterface
    interface Offered {
        void sent(BootEvent e, long at, int index);
    }

    /**
     * {@code total} events at {@code rate}/s as full boots of {@code total / 9 + 1} machines from
     * {@code macBase}/{@code ipBase}, step-major: every machine's first event, then every
     * machine's second, ... Returns the number sent.
     */
    private static int offerStepMajor(KafkaProducer<String, byte[]> producer, int rate, int total, long macBase, int ipBase,
                                      String profile, Offered offered) throws InterruptedException {
        int machines = total / 9 + 1;
        Instant t0 = Instant.now();
        long start = System.nanoTime();
        int sent = 0;
        for (int step = 0; step < 9 && sent < total; step++) {
            for (int m = 0; m < machines && sent < total; m++) {
                BootEvent e = Events.fullBoot(new MacAddress(macBase + m), new Ipv4Address(ipBase + m), t0.plusMillis(m),
                        profile).get(step);
                long wait = start + (long) sent * 1_000_000_000L / rate - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                long at = System.nanoTime();
                producer.send(new ProducerRecord<>(Topics.BOOT_EVENTS, e.key(), EventJson.encode(e)));
                offered.sent(e, at, sent);
                sent++;
            }
        }
        return sent;
    }

    /**
     * A warm-up at the measured rate on other machines, so that the measurement sees a running
     * service, not a cold JVM (0 seconds = measure cold). Waits until it is stored; returns the
     * number of events stored by then.
     */
    private static long warmLoad(KafkaProducer<String, byte[]> producer, InventoryProcess app, int rate, int seconds)
            throws Exception {
        int total = rate * seconds;
        int machines = total / 9 + 1;
        int sent = offerStepMajor(producer, rate, total, 0x0800_0000_0000L, 0x0AA0_0000, "warm", (e, at, index) -> {
        });
        producer.flush();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long stored = 0;
        while (System.nanoTime() < end) {
            String stats = app.get("/api/stats").body();
            stored = Long.parseLong(stats.replaceAll(".*\"events\":(\\d+).*", "$1"));
            if (stored >= (long) sent + Math.min(machines, sent)) {
                break;
            }
            Thread.sleep(200);
        }
        Thread.sleep(1000);
        return Long.parseLong(app.get("/api/stats").body().replaceAll(".*\"events\":(\\d+).*", "$1"));
    }

    private static String windows(Map<Integer, ConcurrentLinkedQueue<Long>> byWindow) {
        StringBuilder out = new StringBuilder("by send time (10 s windows): p50/p99 ms");
        new java.util.TreeMap<>(byWindow).forEach((w, q) -> {
            List<Long> l = new ArrayList<>(q);
            Collections.sort(l);
            out.append(String.format("  [%d-%ds] %d/%d", w * 10, w * 10 + 10, pct(l, 50), pct(l, 99)));
        });
        return out.append(System.lineSeparator()).toString();
    }

    /**
     * The service's own view (its {@code chainboot.inventory.ingest.batch} timer, warm-up included;
     * the max decays over 2 minutes): separates time spent storing from time spent getting there.
     */
    private static String batches(InventoryProcess app) throws Exception {
        String metrics = app.get("/q/metrics").body();
        double count = metric(metrics, "chainboot_inventory_ingest_batch_seconds_count");
        double sum = metric(metrics, "chainboot_inventory_ingest_batch_seconds_sum");
        double max = metric(metrics, "chainboot_inventory_ingest_batch_seconds_max");
        long slow = app.logText().lines().filter(l -> l.contains(" WARN ") && l.contains(" ms to store (")).count();
        return String.format("service: %.0f batches stored, mean %.1f ms, max %.0f ms, %d slower than 500 ms%n", count,
                count == 0 ? 0.0 : sum * 1000 / count, max * 1000, slow);
    }

    private static double metric(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{")).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElse(Double.NaN);
    }

    private static void sql(PostgresServer pg, String sql) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
             java.sql.Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * PostgreSQL's own count of statements executed during the run (pg_stat_statements, reset
     * after the warm-up; the bench's own API polling included, listed apart), per stored event.
     */
    private static String statements(PostgresServer pg, long stored) throws Exception {
        StringBuilder out = new StringBuilder();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("select calls, total_exec_time, query from pg_stat_statements "
                     + "where query not ilike '%pg_stat_statements%' order by total_exec_time desc")) {
            long all = 0;
            long transactions = 0;
            List<String> top = new ArrayList<>();
            while (rs.next()) {
                long calls = rs.getLong(1);
                String q = rs.getString(3).replaceAll("\\s+", " ");
                if (q.equalsIgnoreCase("commit") || q.equalsIgnoreCase("begin")) {
                    transactions += q.equalsIgnoreCase("commit") ? calls : 0;
                    continue;
                }
                all += calls;
                if (top.size() < 14) {
                    top.add(String.format("  %9d calls %9.0f ms  %s", calls, rs.getDouble(2), q.length() > 110 ? q.substring(0, 110) + "..." : q));
                }
            }
            out.append(String.format("PostgreSQL statements during the run (pg_stat_statements, all clients incl. the bench's polls): "
                    + "%d, %.2f per stored event%n", all, stored == 0 ? 0.0 : (double) all / stored));
            for (String t : top) {
                out.append(t).append('\n');
            }
        }
        return out.toString();
    }

    private static void warmUp(KafkaProducer<String, byte[]> producer, InventoryProcess app) throws Exception {
        int partitions = producer.partitionsFor(Topics.BOOT_EVENTS).size();
        for (int p = 0; p < partitions; p++) {
            BootEvent e = Events.fullBoot(new MacAddress(0x0700_0000_0000L + p), new Ipv4Address(0x0A90_0000 + p), Instant.now(), "warm").get(0);
            producer.send(new ProducerRecord<>(Topics.BOOT_EVENTS, p, e.key(), EventJson.encode(e))).get();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (app.get("/api/events/" + e.id()).statusCode() != 200 && System.nanoTime() < end) {
                Thread.sleep(50);
            }
        }
    }

    private static void follow(ScheduledExecutorService pollers, InventoryProcess app, BootEvent e, long at,
                               ConcurrentLinkedQueue<Long> latencies, AtomicInteger lost,
                               Map<Integer, ConcurrentLinkedQueue<Long>> byWindow, int window) {
        pollers.execute(new Runnable() {
            @Override
            public void run() {
                try {
                    if (app.get("/api/events/" + e.id()).statusCode() == 200) {
                        long ms = (System.nanoTime() - at) / 1_000_000;
                        latencies.add(ms);
                        byWindow.computeIfAbsent(window, w -> new ConcurrentLinkedQueue<>()).add(ms);
                        return;
                    }
                } catch (Exception ignored) {
                    // count as not yet visible
                }
                if (System.nanoTime() - at > TimeUnit.SECONDS.toNanos(30)) {
                    lost.incrementAndGet();
                } else {
                    pollers.schedule(this, 25, TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
