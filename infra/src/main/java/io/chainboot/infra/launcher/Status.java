package io.chainboot.infra.launcher;

import io.chainboot.infra.Ports;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code ./chainboot status}: each recorded component checked live — is its pid alive, does its
 * health endpoint (or TCP port) answer. A service killed by hand shows as "not running".
 */
public final class Status {
    public enum Health { UP, DOWN, NOT_RUNNING }

    /** One row of the status table. */
    public record Row(String name, long pid, String ports, Health health, String detail) {
    }

    private Status() {
    }

    public static List<Row> check(Path state) {
        Optional<List<StateFile.Entry>> entries = StateFile.read(state);
        List<Row> rows = new ArrayList<>();
        if (entries.isEmpty()) {
            return rows;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (StateFile.Entry e : entries.get()) {
            boolean alive = ProcessHandle.of(e.pid()).map(ProcessHandle::isAlive).orElse(false);
            if (!alive) {
                rows.add(new Row(e.name(), e.pid(), e.ports(), Health.NOT_RUNNING, "pid " + e.pid() + " is gone"));
                continue;
            }
            String h = e.health();
            if (h.isEmpty()) {
                rows.add(new Row(e.name(), e.pid(), e.ports(), Health.UP, ""));
            } else if (h.startsWith("tcp://")) {
                URI u = URI.create(h);
                boolean open = Ports.isOpen(u.getHost(), u.getPort());
                rows.add(new Row(e.name(), e.pid(), e.ports(), open ? Health.UP : Health.DOWN, open ? "" : "port " + u.getPort() + " closed"));
            } else {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(h)).timeout(Duration.ofSeconds(3)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    rows.add(new Row(e.name(), e.pid(), e.ports(), r.statusCode() == 200 ? Health.UP : Health.DOWN,
                            r.statusCode() == 200 ? "" : "health " + r.statusCode()));
                } catch (IOException ex) {
                    rows.add(new Row(e.name(), e.pid(), e.ports(), Health.DOWN, "no answer on " + h));
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    rows.add(new Row(e.name(), e.pid(), e.ports(), Health.DOWN, "interrupted"));
                }
            }
        }
        return rows;
    }

    public static String format(List<Row> rows) {
        StringBuilder b = new StringBuilder(String.format("%-18s %-8s %-30s %s%n", "COMPONENT", "PID", "PORTS", "HEALTH"));
        for (Row r : rows) {
            String health = r.health() == Health.NOT_RUNNING ? "not running" : r.health().name();
            b.append(String.format("%-18s %-8s %-30s %s%s%n", r.name(), r.health() == Health.NOT_RUNNING ? "-" : String.valueOf(r.pid()),
                    r.ports().isEmpty() ? "-" : r.ports(), health, r.detail().isEmpty() ? "" : "  (" + r.detail() + ")"));
        }
        return b.toString();
    }
}
