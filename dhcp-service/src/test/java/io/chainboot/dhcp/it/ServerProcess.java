package io.chainboot.dhcp.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** {@link DhcpTestServerMain} running in the LAN's server namespace; its output lines are collected. */
public final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>();

    public ServerProcess(Lan lan, String... args) throws IOException, InterruptedException {
        this(lan.start(lan.serverNs(), command(args)));
    }

    /** {@link DhcpTestServerMain} already started as {@code process} (e.g. in another namespace); waits for READY. */
    public ServerProcess(Process process) throws InterruptedException {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(l);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // process ended
            }
        }, "dhcp-test-server-output");
        reader.setDaemon(true);
        reader.start();
        await(l -> l.equals("READY"), 30);
    }

    /** The command line of {@link DhcpTestServerMain} with {@code args}. */
    public static List<String> command(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(java(DhcpTestServerMain.class));
        cmd.addAll(List.of(args));
        return cmd;
    }

    public Process process() {
        return process;
    }

    /** A command line running {@code main} on this JVM's class path (passed in an @argfile, it is long). */
    public static List<String> java(Class<?> main) throws IOException {
        java.nio.file.Path args = java.nio.file.Files.createTempFile("cb-dhcp-cp", ".args");
        args.toFile().deleteOnExit();
        java.nio.file.Files.writeString(args, "-cp \"" + System.getProperty("java.class.path") + "\"\n");
        return List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "@" + args, main.getName());
    }

    /** Waits for an output line matching {@code p}; fails with the whole output when none comes. */
    public String await(Predicate<String> p, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        synchronized (lines) {
            while (true) {
                for (String l : lines) {
                    if (p.test(l)) {
                        return l;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive()) {
                    throw new AssertionError("server output never matched; output:\n" + String.join("\n", lines));
                }
                lines.wait(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(left))));
            }
        }
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Asks for the counters line ("MALFORMED n ANSWERED m") and returns it. */
    public String counters() throws IOException, InterruptedException {
        int before = lines().size();
        OutputStream in = process.getOutputStream();
        in.write('m');
        in.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            List<String> now = lines();
            for (int i = before; i < now.size(); i++) {
                if (now.get(i).startsWith("MALFORMED")) {
                    return now.get(i);
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no counters line");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
