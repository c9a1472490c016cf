package io.chainboot.infra;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process Chainboot starts and owns: output to a log file, and a stdin pipe that we never write
 * to and never close. The child (or, for programs that cannot watch stdin, a small shell wrapper)
 * exits when that pipe reaches EOF, which happens when this JVM dies for any reason, kill -9
 * included. So nothing Chainboot starts outlives it.
 */
public final class ChildProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final OutputStream stdin; // held open: its closing is the child's signal to exit

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stdin = process.getOutputStream();
    }

    /** Start a program that itself exits on stdin EOF (a JVM with a watchdog thread). */
    public static ChildProcess start(String name, List<String> command, Map<String, String> env, Path workDir, Path log)
            throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        return new ChildProcess(name, pb.start(), log);
    }

    /**
     * Start a native program that knows nothing of stdin: a POSIX shell holds the pipe and sends
     * {@code stopSignal} to the program when it closes. The shell execs nothing else, so the
     * program is its only child.
     */
    public static ChildProcess startWatched(String name, List<String> command, String stopSignal, Map<String, String> env,
                                            Path workDir, Path log) throws IOException {
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c",
                "exec 3<&0 0</dev/null; \"$@\" & child=$!; "
                        + "trap 'kill -" + stopSignal + " $child 2>/dev/null' TERM INT; "
                        + "( cat <&3 >/dev/null; kill -" + stopSignal + " $child 2>/dev/null ) & "
                        + "wait $child; rc=$?; wait $child 2>/dev/null; exit $rc",
                "chainboot-watch-" + name));
        wrapped.addAll(command);
        return start(name, wrapped, env, workDir, log);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Process process() {
        return process;
    }

    /** The last lines of the log, for a one-line failure message. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stop gracefully (SIGTERM), then forcibly after {@code graceSeconds}. */
    public void stop(long graceSeconds) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        stop(20);
    }
}
