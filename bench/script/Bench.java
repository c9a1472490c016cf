import io.chainboot.events.DiskKind;
import io.chainboot.events.EventJson;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Topics;
import io.chainboot.infra.KafkaBroker;
import io.chainboot.infra.Ports;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * script-service vs Debian nginx, wrk -t2 -c64 --latency, one measured run each (see README.md).
 * Real Kafka broker (infra's KafkaBroker), one known machine on chainboot.machines, every request's
 * script.rendered event published; afterwards the events on chainboot.boot-events are counted.
 */
public class Bench {
    static final String MAC = "52:54:00:be:00:01";
    static final Path WORK = Path.of("target/bench-script").toAbsolutePath();

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path root = Path.of(System.getProperty("chainboot.root", ".")).toAbsolutePath();
        Files.createDirectories(WORK);
        KafkaBroker kafka = new KafkaBroker(WORK.resolve("kafka"), "127.0.0.1", Ports.free(), Ports.free());
        Process service = null;
        Process nginx = null;
        try {
            kafka.start(Duration.ofSeconds(120));
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                MachineSpec spec = new MachineSpec(MacAddress.parse(MAC), null, "bench01", null, "sanboot", Map.of("room", "bench"),
                        Map.of(), new MachineSpec.DiskAssignment(DiskKind.OVERLAY, "debian", null),
                        new MachineSpec.ChapPolicy(true, true), true, null, Instant.now());
                p.send(new ProducerRecord<>(Topics.MACHINES, MAC, EventJson.encode(spec))).get();
            }
            int port = Ports.free();
            service = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dquarkus.http.port=" + port, "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                    "-Dchainboot.script.iscsi-server=10.0.0.1", "-Dchainboot.common.cluster-secret=bench-cluster-secret",
                    "-Dchainboot.script.profiles-dir=" + WORK.resolve("profiles"), "-Dchainboot.script.assets-dir=" + WORK.resolve("assets"),
                    "-Dquarkus.log.level=WARN",
                    "-jar", root.resolve("script-service/target/quarkus-app/quarkus-run.jar").toString()))
                    .redirectErrorStream(true).redirectOutput(WORK.resolve("service.log").toFile()).start();
            String url = "http://127.0.0.1:" + port + "/boot.ipxe?mac=52-54-00-be-00-01&uuid=&arch=x86_64&platform=pcbios";
            String script = awaitSanboot(url, service);
            System.out.println("script (" + script.length() + " bytes):\n" + script);

            // nginx: a static file of the same size, access log off
            Path html = Files.createDirectories(WORK.resolve("nginx/html"));
            Files.writeString(html.resolve("boot.ipxe"), script);
            int nginxPort = Ports.free();
            Path conf = WORK.resolve("nginx/nginx.conf");
            Files.writeString(conf, """
                    worker_processes 2;
                    pid %1$s/nginx.pid;
                    error_log %1$s/error.log;
                    daemon off;
                    events { worker_connections 1024; }
                    http {
                        access_log off;
                        default_type text/plain;
                        client_body_temp_path %1$s/tmp; proxy_temp_path %1$s/tmp; fastcgi_temp_path %1$s/tmp;
                        uwsgi_temp_path %1$s/tmp; scgi_temp_path %1$s/tmp;
                        server { listen 127.0.0.1:%2$d; root %3$s; }
                    }
                    """.formatted(WORK.resolve("nginx"), nginxPort, html));
            Files.createDirectories(WORK.resolve("nginx/tmp"));
            nginx = new ProcessBuilder("/usr/sbin/nginx", "-c", conf.toString(), "-p", WORK.resolve("nginx").toString())
                    .redirectErrorStream(true).redirectOutput(WORK.resolve("nginx/out.log").toFile()).start();
            String nginxUrl = "http://127.0.0.1:" + nginxPort + "/boot.ipxe?mac=52-54-00-be-00-01&uuid=&arch=x86_64&platform=pcbios";
            awaitBody(nginxUrl, script);

            System.out.println("warm-up: script-service 30 s (the JIT needs it, more so on a loaded machine)");
            wrk(url, 30);
            long before = endOffsets(kafka.bootstrapServers());
            Result s = wrk(url, seconds);
            long events = awaitEvents(kafka.bootstrapServers(), before, s.requests);
            System.out.println("warm-up: nginx 10 s");
            wrk(nginxUrl, 10);
            Result n = wrk(nginxUrl, seconds);

            System.out.printf("%n%-16s %12s %10s %10s %10s %12s%n", "", "req/s", "p50 ms", "p99 ms", "requests", "non-2xx");
            System.out.printf("%-16s %12.0f %10.2f %10.2f %10d %12d%n", "script-service", s.rps, s.p50, s.p99, s.requests, s.errors);
            System.out.printf("%-16s %12.0f %10.2f %10.2f %10d %12d%n", "nginx", n.rps, n.p50, n.p99, n.requests, n.errors);
            System.out.printf("ratio: rate %.2fx nginx (target >= 0.5), p99 %.2fx nginx (target <= 2)%n", s.rps / n.rps, s.p99 / n.p99);
            System.out.printf("load average at the end: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
            System.out.printf("events on %s during the measured run: %d for %d requests%n", Topics.BOOT_EVENTS, events, s.requests);
            System.out.println(metrics("http://127.0.0.1:" + port + "/q/metrics"));
        } finally {
            if (nginx != null) {
                nginx.destroy();
                nginx.waitFor();
            }
            if (service != null) {
                service.destroy();
                service.waitFor();
            }
            kafka.close();
        }
    }

    record Result(double rps, double p50, double p99, long requests, long errors) {
    }

    static Result wrk(String url, int seconds) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t2", "-c64", "-d" + seconds + "s", "--latency", url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        System.out.println(out);
        double rps = Double.parseDouble(find(out, "Requests/sec:\\s+([0-9.]+)"));
        long requests = Long.parseLong(find(out, "([0-9]+) requests in"));
        String errors = findOr(out, "Non-2xx or 3xx responses: ([0-9]+)", "0");
        return new Result(rps, ms(find(out, "50%\\s+([0-9.]+[a-z]+)")), ms(find(out, "99%\\s+([0-9.]+[a-z]+)")), requests,
                Long.parseLong(errors));
    }

    static double ms(String v) {
        if (v.endsWith("us")) return Double.parseDouble(v.substring(0, v.length() - 2)) / 1000;
        if (v.endsWith("ms")) return Double.parseDouble(v.substring(0, v.length() - 2));
        if (v.endsWith("s")) return Double.parseDouble(v.substring(0, v.length() - 1)) * 1000;
        throw new IllegalArgumentException(v);
    }

    static String find(String s, String re) {
        Matcher m = Pattern.compile(re).matcher(s);
        if (!m.find()) throw new IllegalStateException("no " + re + " in wrk output");
        return m.group(1);
    }

    static String findOr(String s, String re, String dflt) {
        Matcher m = Pattern.compile(re).matcher(s);
        return m.find() ? m.group(1) : dflt;
    }

    static String awaitSanboot(String url, Process service) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) throw new IllegalStateException("script-service exited; see " + WORK.resolve("service.log"));
            try {
                String body = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
                if (body.contains("\nsanboot ")) return body;
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("script-service never served the sanboot script");
    }

    static void awaitBody(String url, String expected) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 100; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body().equals(expected)) return;
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("nginx did not come up; see " + WORK.resolve("nginx"));
    }

    static long endOffsets(String bootstrap) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.BOOT_EVENTS).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Waits (up to 60 s) until the events of the measured run are all in Kafka; returns how many arrived. */
    static long awaitEvents(String bootstrap, long before, long expected) throws Exception {
        long got = 0;
        for (int i = 0; i < 120; i++) {
            got = endOffsets(bootstrap) - before;
            if (got >= expected) break;
            Thread.sleep(500);
        }
        return got;
    }

    static String metrics(String url) throws Exception {
        String all = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        StringBuilder b = new StringBuilder();
        for (String line : all.split("\n")) {
            if (line.startsWith("chainboot_events_") || line.startsWith("chainboot_script_")) b.append(line).append('\n');
        }
        return b.toString();
    }
}
