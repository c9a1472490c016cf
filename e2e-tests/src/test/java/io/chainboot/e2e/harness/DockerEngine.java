package io.chainboot.e2e.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Docker engine contained in a {@link TestNamespace}:
 * {@code nsenter --net=/run/netns/NS dockerd --data-root D --exec-root E --pidfile P -H unix://S}. Its
 * docker0, every compose network and the "host" network of a container are the namespace's; this
 * machine's interfaces and iptables are never touched. Never {@code ip netns exec} (it remounts /sys
 * and dockerd then finds no cgroups), never a daemon in the root namespace (it would set the root
 * FORWARD policy to DROP). Everything it owns lives under {@code /var/tmp/<namespace>/} and the
 * cgroup parent {@code /<namespace>}.
 *
 * <p>{@link #close()} stops the daemon (SIGTERM: it stops its containers; SIGKILL after a grace),
 * kills what of this engine outlived it (containerd, shims, by their addresses under this engine's
 * directories), unmounts every mount under them (overlays, shm, network namespaces), removes the
 * directories and the cgroups; {@link #leftovers()} lists whatever is still there.
 */
public final class DockerEngine implements AutoCloseable {
    private static final List<String> CGROUP_CONTROLLERS = List.of("blkio", "cpu", "cpuacct", "cpuset", "devices",
            "freezer", "memory", "pids", "systemd", "unified", "net_cls", "net_prio", "perf_event", "hugetlb", "rdma");

    private final TestNamespace ns;
    private final Path base;
    private final Path log;
    private final String cgroupParent;
    private Process daemon;
    private boolean closed;

    private DockerEngine(TestNamespace ns, Path base, Path log) {
        this.ns = ns;
        this.base = base;
        this.log = log;
        this.cgroupParent = "/" + ns.name();
    }

    /** Starts the daemon in {@code ns} (its log in {@code <ns dir>/dockerd.log}) and waits until it answers. */
    public static DockerEngine start(TestNamespace ns, Duration timeout) {
        DockerEngine e = new DockerEngine(ns, Path.of("/var/tmp", ns.name()), ns.dir().resolve("dockerd.log"));
        try {
            e.cleanUp();   // a previous run of the same name that died without its teardown
            Files.createDirectories(e.base);
            Files.writeString(e.base.resolve("daemon.json"), "{}\n");
            e.daemon = new ProcessBuilder("nsenter", "--net=/run/netns/" + ns.name(), "dockerd",
                    "--config-file", e.base.resolve("daemon.json").toString(),
                    "--data-root", e.dataRoot().toString(), "--exec-root", e.execRoot().toString(),
                    "--pidfile", e.base.resolve("docker.pid").toString(), "-H", e.host(),
                    "--cgroup-parent", e.cgroupParent, "--shutdown-timeout", "10")
                    .redirectErrorStream(true).redirectOutput(e.log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            long end = System.nanoTime() + timeout.toNanos();
            while (!e.docker(Duration.ofSeconds(10), "version", "--format", "{{.Server.Version}}").ok()) {
                if (!e.daemon.isAlive()) {
                    throw new IllegalStateException("dockerd exited (" + e.daemon.exitValue() + "): " + e.logTail(2000));
                }
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("dockerd did not answer within " + timeout.toSeconds() + " s: " + e.logTail(2000));
                }
                TestNamespace.sleep(300);
            }
            return e;
        } catch (IOException | RuntimeException ex) {
            e.close();
            throw new IllegalStateException("cannot start a Docker engine in " + ns.name() + ": " + ex.getMessage(), ex);
        }
    }

    public String host() {
        return "unix://" + base.resolve("docker.sock");
    }

    public Path dataRoot() {
        return base.resolve("data");
    }

    public Path execRoot() {
        return base.resolve("exec");
    }

    public long pid() {
        return daemon.pid();
    }

    public TestNamespace namespace() {
        return ns;
    }

    /** {@code docker ARGS} against this engine. */
    public Cmd.Result docker(Duration timeout, String... args) {
        return run(timeout, null, Cmd.concat(new String[]{"docker"}, args));
    }

    /**
     * Runs a command with {@code DOCKER_HOST} set to this engine and the classic builder (BuildKit
     * would look FROM images up in a registry); the caller's {@code CHAINBOOT_*} and
     * {@code COMPOSE_*} variables are not passed on (compose would prefer them to its env file).
     * Output (stdout+stderr) goes to {@code logFile} when given, else it is returned.
     */
    public Cmd.Result run(Duration timeout, Path logFile, String... argv) {
        List<String> args = List.of(argv);
        try {
            Path out = logFile != null ? logFile : Files.createTempFile("cb-docker", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true)
                        .redirectOutput(logFile != null ? ProcessBuilder.Redirect.appendTo(out.toFile())
                                : ProcessBuilder.Redirect.to(out.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                Map<String, String> env = pb.environment();
                env.keySet().removeIf(k -> k.startsWith("CHAINBOOT_") || k.startsWith("COMPOSE_") || k.startsWith("DOCKER_"));
                env.put("DOCKER_HOST", host());
                env.put("DOCKER_BUILDKIT", "0");
                env.put("COMPOSE_DOCKER_CLI_BUILD", "0");
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    return new Cmd.Result(args, -1, "timed out after " + timeout.toSeconds() + " s\n" + tail(out, 4000));
                }
                return new Cmd.Result(args, p.exitValue(), logFile != null ? tail(out, 4000) : Files.readString(out));
            } finally {
                if (logFile == null) {
                    Files.deleteIfExists(out);
                }
            }
        } catch (IOException e) {
            return new Cmd.Result(args, -2, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Cmd.Result(args, -3, "interrupted");
        }
    }

    private static String tail(Path f, int chars) throws IOException {
        String s = Files.exists(f) ? Files.readString(f) : "";
        return s.length() <= chars ? s : s.substring(s.length() - chars);
    }

    public String logTail(int chars) {
        try {
            return tail(log, chars);
        } catch (IOException e) {
            return "(cannot read " + log + ")";
        }
    }

    /**
     * What this engine left: its daemon or any process naming its directories, mounts under them,
     * the directories themselves, its cgroups. Empty after {@link #close()} if the teardown worked.
     */
    public List<String> leftovers() {
        List<String> out = new ArrayList<>();
        ownProcesses().forEach(h -> out.add("process " + h.pid() + " " + h.info().commandLine().orElse("?")));
        mountsUnderBase().forEach(m -> out.add("mount " + m));
        if (Files.exists(base)) {
            out.add("directory " + base);
        }
        for (String c : CGROUP_CONTROLLERS) {
            Path g = Path.of("/sys/fs/cgroup", c, ns.name());
            if (Files.exists(g)) {
                out.add("cgroup " + g);
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (daemon != null && daemon.isAlive()) {
            ProcessHandle h = daemon.toHandle();
            h.destroy();   // dockerd stops its containers (--shutdown-timeout 10), then containerd
            try {
                h.onExit().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
        cleanUp();
    }

    /** Kills what names this engine's directories, unmounts under them, removes them and the cgroups. */
    private void cleanUp() {
        for (int round = 0; round < 3; round++) {
            List<ProcessHandle> left = ownProcesses();
            if (left.isEmpty()) {
                break;
            }
            // shims first would orphan containers; kill the container processes with their shims
            left.forEach(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
            left.forEach(ProcessHandle::destroyForcibly);
            left.forEach(h -> {
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // reported by leftovers()
                }
            });
        }
        List<String> mounts = mountsUnderBase();
        for (int i = mounts.size() - 1; i >= 0; i--) {
            Cmd.run("umount", mounts.get(i));
        }
        for (String m : mountsUnderBase()) {
            Cmd.run("umount", "-l", m);
        }
        if (Files.exists(base) && mountsUnderBase().isEmpty()) {
            Cmd.run(Duration.ofSeconds(120), null, "rm", "-rf", "--one-file-system", base.toString());
        }
        for (String c : CGROUP_CONTROLLERS) {
            Path g = Path.of("/sys/fs/cgroup", c, ns.name());
            if (Files.isDirectory(g)) {
                try (Stream<Path> s = Files.walk(g)) {
                    // leaf cgroups first; a cgroup directory is removed with rmdir, never its files
                    s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).forEach(d -> Cmd.run("rmdir", d.toString()));
                } catch (IOException | RuntimeException ignored) {
                    // reported by leftovers()
                }
            }
        }
    }

    /** dockerd, containerd and shims of this engine: their command lines name its directories. */
    private List<ProcessHandle> ownProcesses() {
        String marker = base.toString() + "/";
        List<ProcessHandle> out = new ArrayList<>();
        ProcessHandle self = ProcessHandle.current();
        ProcessHandle.allProcesses().forEach(h -> {
            if (h.pid() == self.pid()) {
                return;
            }
            String cmdline = cmdline(h.pid());
            if (cmdline.contains(marker) && (cmdline.startsWith("dockerd") || cmdline.contains("containerd")
                    || cmdline.startsWith("/usr/sbin/dockerd") || cmdline.contains("docker-proxy"))) {
                out.add(h);
            }
        });
        return out;
    }

    private static String cmdline(long pid) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline"));
            return new String(b, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Mount points under this engine's directory, in mount order. */
    private List<String> mountsUnderBase() {
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4) {
                    String point = f[4].replace("\\040", " ");
                    if (point.equals(base.toString()) || point.startsWith(base + "/")) {
                        out.add(point);
                    }
                }
            }
        } catch (IOException ignored) {
            // no /proc: nothing to report
        }
        return out;
    }
}
