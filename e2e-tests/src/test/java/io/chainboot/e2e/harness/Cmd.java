package io.chainboot.e2e.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived command to completion, output captured. Long-running daemons go through {@link TestNamespace#start}. */
public final class Cmd {
    /** The result of a finished command. */
    public record Result(List<String> argv, int exit, String output) {
        public boolean ok() {
            return exit == 0;
        }

        public Result check() {
            if (exit != 0) {
                throw new IllegalStateException("command failed (exit " + exit + "): " + String.join(" ", argv)
                        + "\n" + output.strip());
            }
            return this;
        }
    }

    private Cmd() {
    }

    /** Runs {@code argv} (stdin empty, stdout+stderr merged) and fails if it exits non-zero. */
    public static Result check(String... argv) {
        return run(Duration.ofSeconds(60), null, argv).check();
    }

    public static Result run(String... argv) {
        return run(Duration.ofSeconds(60), null, argv);
    }

    /** Runs {@code argv} with {@code stdin} as its input; kills it (only it) after {@code timeout}. */
    public static Result run(Duration timeout, String stdin, String... argv) {
        List<String> args = List.of(argv);
        try {
            Path out = Files.createTempFile("cb-e2e-cmd", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true)
                        .redirectOutput(out.toFile());
                if (stdin == null) {
                    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                }
                Process p = pb.start();
                if (stdin != null) {
                    try (var in = p.getOutputStream()) {
                        in.write(stdin.getBytes(StandardCharsets.UTF_8));
                    }
                }
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    return new Result(args, -1, "timed out after " + timeout.toSeconds() + " s\n"
                            + Files.readString(out));
                }
                return new Result(args, p.exitValue(), Files.readString(out));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            return new Result(args, -2, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(args, -3, "interrupted");
        }
    }

    static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(Arrays.asList(a));
        all.addAll(Arrays.asList(b));
        return all.toArray(String[]::new);
    }

    /** True if {@code name} is an executable on PATH (or the sbin directories Debian puts daemons in). */
    public static boolean onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }
}
