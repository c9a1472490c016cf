package io.chainboot.inventory;

import io.chainboot.infra.KafkaBroker;
import io.chainboot.infra.Ports;
import io.chainboot.infra.PostgresServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged inventory-service ({@code quarkus-run.jar}) as a child process, for crash and outage tests and the benchmark. */
public final class InventoryProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final List<String> command;
    private final Path log;
    private final int port;
    private Process process;

    /**
     * The packaged service ({@code -Dinventory.app}, else target/quarkus-app) as instance {@code instance}
     * on the shared test broker and {@code pg}, with API token {@code it}, logging to {@code log}.
     */
    public static InventoryProcess packaged(String instance, Path log, PostgresServer pg) {
        return new InventoryProcess(Path.of(System.getProperty("inventory.app", "target/quarkus-app/quarkus-run.jar")),
                log, Map.of(
                "kafka.bootstrap.servers", KafkaBroker.shared().bootstrapServers(),
                "quarkus.datasource.jdbc.url", pg.jdbcUrl(),
                "quarkus.datasource.username", pg.username(),
                "quarkus.datasource.password", pg.password(),
                "chainboot.common.instance", instance,
                "chainboot.inventory.api-token", "it"));
    }

    public InventoryProcess(Path jar, Path log, Map<String, String> config) {
        this.port = Ports.free();
        this.log = log;
        command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m"));
        command.add("-Dquarkus.http.port=" + port);
        // extra JVM options for a profiling run, e.g. -Dinventory.jvm.args=-XX:StartFlightRecording=filename=x.jfr
        for (String a : System.getProperty("inventory.jvm.args", "").split(" ")) {
            if (!a.isBlank()) {
                command.add(a);
            }
        }
        config.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
    }

    public InventoryProcess start(Duration timeout) throws IOException, InterruptedException {
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("inventory-service exited with " + process.exitValue() + ", see " + log);
            }
            try {
                if (get("/api/stats").statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("inventory-service not up in " + timeout + ", see " + log);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The HTTP port it listens on (127.0.0.1). */
    public int port() {
        return port;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no graceful commit — a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public String logText() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
