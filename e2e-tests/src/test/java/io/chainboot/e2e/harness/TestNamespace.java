package io.chainboot.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private network namespace {@code cb-e2e-<pid>[-suffix]}: bridge {@code br0} with
 * {@value #SERVER_IP}/24 (and only its IPv6 link-local address) and tap devices for the guests —
 * what a small LAN with no IPv6 router has. Nothing else runs in it: iPXE's IPv6 router
 * solicitations are answered by whatever stack the test starts (dhcp-service, or dnsmasq's own
 * router advertisements in the reference stack), as on a user's network. No packet leaves the namespace.
 *
 * <p>Daemons are started with {@code ip netns exec NS cmd}, which execs, so the {@link Process}
 * is the daemon itself. {@link #close()} stops only those processes and anything still running
 * inside this namespace (all of it started by this test), then deletes the namespace.
 */
public final class TestNamespace implements AutoCloseable {
    public static final String SERVER_IP = "10.77.0.1";
    public static final String BRIDGE = "br0";

    /** A long-running process started inside the namespace. */
    public record Daemon(String name, Process process, Path log) {
        public long pid() {
            return process.pid();
        }

        public boolean alive() {
            return process.isAlive();
        }

        public String logTail(int chars) {
            try {
                String s = Files.exists(log) ? Files.readString(log) : "";
                return s.length() <= chars ? s : s.substring(s.length() - chars);
            } catch (IOException e) {
                return "(cannot read " + log + ": " + e + ")";
            }
        }
    }

    private final String name;
    private final Path dir;
    private final List<Daemon> daemons = new ArrayList<>();
    private final List<Runnable> beforeStop = new ArrayList<>();
    private final Thread shutdownHook;
    private int taps;
    private boolean closed;

    private TestNamespace(String name, Path dir) {
        this.name = name;
        this.dir = dir;
        this.shutdownHook = new Thread(this::close, "cb-e2e-teardown-" + name);
    }

    /** Creates the namespace with its bridge. */
    public static TestNamespace create(String suffix, Path dir) {
        return createNamed("cb-e2e-" + ProcessHandle.current().pid() + (suffix == null || suffix.isEmpty() ? "" : "-" + suffix), dir);
    }

    /** As {@link #create(String, Path)}, named {@code <prefix>-<pid>-<suffix>} (e.g. {@code cb-fw}). */
    public static TestNamespace create(String prefix, String suffix, Path dir) {
        return createNamed(prefix + "-" + ProcessHandle.current().pid() + "-" + suffix, dir);
    }

    /** Creates the namespace {@code name} (a stale one of that name is deleted first) with its bridge. */
    public static TestNamespace createNamed(String name, Path dir) {
        if (Cmd.run("ip", "netns", "list").output().lines().anyMatch(l -> l.split(" ")[0].equals(name))) {
            Cmd.run("ip", "netns", "del", name);
        }
        TestNamespace ns = new TestNamespace(name, dir);
        Runtime.getRuntime().addShutdownHook(ns.shutdownHook);
        try {
            Files.createDirectories(dir);
            Cmd.check("ip", "netns", "add", name);
            ns.exec("ip", "link", "set", "lo", "up");
            ns.exec("ip", "link", "add", BRIDGE, "type", "bridge");
            ns.exec("ip", "link", "set", BRIDGE, "type", "bridge", "forward_delay", "0", "stp_state", "0");
            ns.exec("ip", "addr", "add", SERVER_IP + "/24", "dev", BRIDGE);
            ns.exec("ip", "link", "set", BRIDGE, "up");
            if (Boolean.getBoolean("e2e.pcap")) {
                // -De2e.pcap=true: capture the bridge to <dir>/br0.pcap for a post-mortem (tshark)
                ns.start("tshark", "tshark", "-q", "-n", "-i", BRIDGE, "-w", dir.resolve("br0.pcap").toString());
                sleep(1500);
            }
            return ns;
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw new IllegalStateException("cannot set up namespace " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * A second host on the same LAN: a bare namespace {@code cb-e2e-<pid>-<suffix>} whose {@code eth0}
     * ({@code ip}/24) is a veth plugged into this namespace's bridge. Close it before this one.
     */
    public TestNamespace plugInHost(String suffix, String ip) {
        return plugIn("cb-e2e-" + ProcessHandle.current().pid() + "-" + suffix, suffix, ip);
    }

    /**
     * As {@link #plugInHost} with the namespace named {@code peer} (e.g. {@code cb-fw-<pid>-rtr}); its
     * veth port on this bridge is {@code v<suffix>} and its files live in {@code <dir>/<suffix>}.
     */
    public TestNamespace plugIn(String peer, String suffix, String ip) {
        Cmd.run("ip", "netns", "del", peer);
        TestNamespace host = new TestNamespace(peer, dir.resolve(suffix));
        Runtime.getRuntime().addShutdownHook(host.shutdownHook);
        try {
            Files.createDirectories(host.dir);
            Cmd.check("ip", "netns", "add", peer);
            String port = "v" + suffix;
            exec("ip", "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", peer);
            exec("ip", "link", "set", port, "master", BRIDGE);
            exec("ip", "link", "set", port, "up");
            host.exec("ip", "link", "set", "lo", "up");
            host.exec("ip", "addr", "add", ip + "/24", "dev", "eth0");
            host.exec("ip", "link", "set", "eth0", "up");
            return host;
        } catch (IOException | RuntimeException e) {
            host.close();
            throw new IllegalStateException("cannot plug host " + peer + " into " + name + ": " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Makes this namespace a router onto a second LAN: a bridge {@value #BRIDGE} with {@code cidr}
     * (e.g. {@code 10.78.0.1/24}) for {@link #addTap()} guests, and IPv4 forwarding on (this namespace only).
     */
    public TestNamespace routeTo(String cidr) {
        exec("ip", "link", "add", BRIDGE, "type", "bridge");
        exec("ip", "link", "set", BRIDGE, "type", "bridge", "forward_delay", "0", "stp_state", "0");
        exec("ip", "addr", "add", cidr, "dev", BRIDGE);
        exec("ip", "link", "set", BRIDGE, "up");
        exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        return this;
    }

    /** Adds a tap device enslaved to the bridge and returns its name (tap0, tap1, ...). */
    public String addTap() {
        String tap = "tap" + taps++;
        exec("ip", "tuntap", "add", "dev", tap, "mode", "tap");
        exec("ip", "link", "set", tap, "master", BRIDGE);
        exec("ip", "link", "set", tap, "up");
        return tap;
    }

    /** Runs a short command inside the namespace; fails if it fails. */
    public Cmd.Result exec(String... argv) {
        return Cmd.check(Cmd.concat(new String[]{"ip", "netns", "exec", name}, argv));
    }

    public Cmd.Result run(Duration timeout, String... argv) {
        return Cmd.run(timeout, null, Cmd.concat(new String[]{"ip", "netns", "exec", name}, argv));
    }

    /** Starts a daemon inside the namespace, output to {@code <dir>/<name>.log}. */
    public Daemon start(String daemonName, String... argv) {
        Path log = dir.resolve(daemonName + ".log");
        try {
            Process p = new ProcessBuilder(Cmd.concat(new String[]{"ip", "netns", "exec", name}, argv))
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            Daemon d = new Daemon(daemonName, p, log);
            synchronized (daemons) {
                daemons.add(d);
            }
            return d;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + daemonName + ": " + e.getMessage(), e);
        }
    }

    /** Registers an action to run at teardown before daemons are signalled (e.g. tgtd's own shutdown). */
    public void beforeStop(Runnable action) {
        beforeStop.add(action);
    }

    /** Stops one daemon: SIGTERM, up to {@code grace}, then SIGKILL. */
    public static void stop(Daemon d, Duration grace) {
        stopPid(d.process().toHandle(), grace);
    }

    static void stopPid(ProcessHandle h, Duration grace) {
        if (!h.isAlive()) {
            return;
        }
        h.destroy();
        try {
            h.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // nothing more we can do for this PID
            }
        }
    }

    /** Waits until {@code port} is listening inside the namespace (tcp or udp). */
    public boolean waitListening(String proto, int port, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        String flag = proto.equals("udp") ? "-Hlnu" : "-Hlnt";
        while (System.nanoTime() < end) {
            String out = run(Duration.ofSeconds(5), "ss", flag).output();
            if (out.lines().anyMatch(l -> l.matches(".*:" + port + "\\s.*"))) {
                return true;
            }
            sleep(100);
        }
        return false;
    }

    /** PIDs running inside the namespace that this harness did not start itself (e.g. what a launcher left). */
    public List<Long> pidsExceptOwnDaemons() {
        java.util.Set<Long> own = new java.util.HashSet<>();
        synchronized (daemons) {
            // a daemon's own children count as ours too (a daemon may fork a privilege-separated child)
            daemons.forEach(d -> {
                own.add(d.pid());
                d.process().descendants().forEach(h -> own.add(h.pid()));
            });
        }
        List<Long> out = new ArrayList<>();
        for (String pid : Cmd.run("ip", "netns", "pids", name).output().split("\\s+")) {
            if (pid.matches("\\d+") && !own.contains(Long.parseLong(pid))) {
                out.add(Long.parseLong(pid));
            }
        }
        return out;
    }

    /** Waits up to {@code timeout} for foreign processes to exit; returns "pid command line" of those left. */
    public List<String> awaitForeignPidsGone(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        List<Long> left = pidsExceptOwnDaemons();
        while (!left.isEmpty() && System.nanoTime() < end) {
            sleep(200);
            left = pidsExceptOwnDaemons();
        }
        List<String> out = new ArrayList<>();
        for (long pid : left) {
            out.add(pid + " " + ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("?"));
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Runnable r : beforeStop) {
            try {
                r.run();
            } catch (RuntimeException ignored) {
                // keep tearing down
            }
        }
        List<Daemon> copy;
        synchronized (daemons) {
            copy = new ArrayList<>(daemons);
        }
        for (int i = copy.size() - 1; i >= 0; i--) {
            stop(copy.get(i), Duration.ofSeconds(5));
        }
        // Safety net: whatever still runs inside OUR namespace was started by this test.
        for (String pid : Cmd.run("ip", "netns", "pids", name).output().split("\\s+")) {
            if (pid.matches("\\d+")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(h -> stopPid(h, Duration.ofSeconds(3)));
            }
        }
        Cmd.run("ip", "netns", "del", name);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
