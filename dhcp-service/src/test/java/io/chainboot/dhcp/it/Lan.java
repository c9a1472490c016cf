package io.chainboot.dhcp.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away Ethernet for acceptance tests: a server namespace {@code cb-dhcp-service-s<id>} holding
 * a bridge with 10.213.0.1/24, and client namespaces {@code cb-dhcp-service-<name><id>}, each joined to
 * the bridge by a veth pair. All namespaces are deleted on {@link #close()}; processes started through
 * {@link #start} are killed by their PID first.
 */
public final class Lan implements AutoCloseable {
    public static final String SERVER_IP = "10.213.0.1";

    private final String id = Integer.toString(ThreadLocalRandom.current().nextInt(1000, 9999));
    private final String serverNs = "cb-dhcp-service-s" + id;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    public Lan() throws IOException, InterruptedException {
        run("ip", "netns", "add", serverNs);
        namespaces.add(serverNs);
        run("ip", "-n", serverNs, "link", "set", "lo", "up");
        run("ip", "-n", serverNs, "link", "add", "br0", "type", "bridge");
        run("ip", "-n", serverNs, "addr", "add", SERVER_IP + "/24", "dev", "br0");
        run("ip", "-n", serverNs, "link", "set", "br0", "up");
    }

    public String serverNs() {
        return serverNs;
    }

    /** A client namespace with interface {@code eth0} (down, no address) on the bridge; returns its name. */
    public String addHost(String name, String mac) throws IOException, InterruptedException {
        String ns = "cb-dhcp-service-" + name + id;
        String outer = "cbd" + name + id;
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "link", "add", outer, "netns", serverNs, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "-n", ns, "link", "set", "eth0", "address", mac);
        run("ip", "-n", serverNs, "link", "set", outer, "master", "br0");
        run("ip", "-n", serverNs, "link", "set", outer, "up");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        return ns;
    }

    /** Runs a command in {@code ns} to completion and returns its output (stdout and stderr). */
    public String exec(String ns, String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return run(full.toArray(String[]::new));
    }

    /** Starts a long-running command in {@code ns}; it is killed (by PID) on close. */
    public Process start(String ns, List<String> cmd) throws IOException {
        return start(ns, cmd, null);
    }

    /** As {@link #start(String, List)}, with the output going to {@code log} when given. */
    public Process start(String ns, List<String> cmd, java.nio.file.Path log) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
        if (log != null) {
            pb.redirectOutput(log.toFile());
        }
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + out);
        }
        return out;
    }

    /** Kills a process by the PID written in {@code pidFile} (daemons such as dhclient). */
    public static void killPidFile(java.nio.file.Path pidFile) {
        try {
            if (java.nio.file.Files.exists(pidFile)) {
                long pid = Long.parseLong(java.nio.file.Files.readString(pidFile).strip());
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (IOException | NumberFormatException e) {
            // nothing to kill
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            try {
                run("ip", "netns", "del", namespaces.get(i));
            } catch (IOException | InterruptedException e) {
                System.err.println("could not delete namespace " + namespaces.get(i) + ": " + e.getMessage());
            }
        }
    }
}
