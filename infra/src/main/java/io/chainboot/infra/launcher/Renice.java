package io.chainboot.infra.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Lowers a started component to {@link LaunchPlan#niceness} (Kafka and PostgreSQL, started by their own classes). */
final class Renice {
    private Renice() {
    }

    /**
     * Every thread of the process and of its children (Linux niceness is per thread; threads and
     * processes created later inherit it). A failure is logged, not fatal: priorities are an optimisation.
     */
    static void component(String component, long pid) {
        int nice = LaunchPlan.niceness(component);
        if (nice <= 0) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("renice", "-n", String.valueOf(nice), "-p"));
        Stream.concat(ProcessHandle.of(pid).stream(), ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants))
                .forEach(h -> {
                    try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(h.pid()), "task"))) {
                        tasks.forEach(t -> cmd.add(t.getFileName().toString()));
                    } catch (IOException e) {
                        cmd.add(String.valueOf(h.pid()));
                    }
                });
        try {
            Process r = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!r.waitFor(10, TimeUnit.SECONDS) || r.exitValue() != 0) {
                Supervisor.log(component + ": renice to " + nice + " failed (rc " + (r.isAlive() ? "timeout" : r.exitValue()) + ")");
            }
        } catch (IOException e) {
            Supervisor.log(component + ": renice to " + nice + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
