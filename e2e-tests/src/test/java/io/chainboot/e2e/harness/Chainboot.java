package io.chainboot.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Chainboot started exactly as a user starts it: {@code ./chainboot up} from the checkout, run
 * inside the test namespace and bound to its bridge, full DHCP with a pool, a private state
 * directory. {@link #close()} runs {@code ./chainboot down}; the namespace teardown then stops
 * anything that outlived it.
 */
public final class Chainboot implements AutoCloseable {
    public static final String POOL = "10.77.0.100-10.77.0.200";
    /** HTTP ports with the launcher's default base 8080: inventory, script, dhcp, tftp, iscsi. */
    public static final int INVENTORY_PORT = 8080;
    public static final int SCRIPT_PORT = 8081;
    public static final int ISCSI_PORT = 8084;

    private final TestNamespace ns;
    private final Path root;
    private final Path state;
    private final String upOutput;
    private boolean down;

    private Chainboot(TestNamespace ns, Path root, Path state, String upOutput) {
        this.ns = ns;
        this.root = root;
        this.state = state;
        this.upOutput = upOutput;
    }

    /** The checkout root (the directory holding {@code ./chainboot}). */
    public static Path checkoutRoot() {
        String prop = System.getProperty("chainboot.root");
        Path p = prop != null && !prop.isBlank() ? Path.of(prop) : Path.of("..");
        return p.toAbsolutePath().normalize();
    }

    /**
     * {@code ip netns exec NS ./chainboot up --address 10.77.0.1 --interface br0 --dhcp-mode MODE [--pool ...]
     * --state STATE [extra]}; fails with the launcher's own one-line reason and the log tails.
     */
    public static Chainboot up(TestNamespace ns, Path state, String dhcpMode, String... extra) {
        return up(ns, state, dhcpMode, java.util.Map.of(), extra);
    }

    /**
     * As {@link #up(TestNamespace, Path, String, String...)} with environment variables for the launcher,
     * which its children inherit: Quarkus reads {@code CHAINBOOT_INVENTORY_STALL_FIRMWARE_LOADED} as
     * {@code chainboot.inventory.stall.firmware-loaded} (settings the launcher has no option for).
     */
    public static Chainboot up(TestNamespace ns, Path state, String dhcpMode, java.util.Map<String, String> env,
                               String... extra) {
        Path root = checkoutRoot();
        Path launcher = root.resolve("chainboot");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException("no launcher at " + launcher);
        }
        List<String> args = new ArrayList<>();
        if (!env.isEmpty()) {
            args.add("env");
            env.forEach((k, v) -> args.add(k + "=" + v));
        }
        args.addAll(List.of(launcher.toString(), "up",
                "--address", TestNamespace.SERVER_IP, "--interface", TestNamespace.BRIDGE,
                "--dhcp-mode", dhcpMode, "--state", state.toString(),
                // the Maven build that runs this test has already packaged every service
                "--no-build"));
        if (dhcpMode.equals("full")) {
            args.addAll(List.of("--pool", POOL));
        }
        args.addAll(List.of(extra));
        Cmd.Result r = ns.run(Duration.ofSeconds(300), args.toArray(String[]::new));
        Chainboot cb = new Chainboot(ns, root, state, r.output());
        if (!r.ok()) {
            String logs = cb.logTails(1500);
            cb.close();
            throw new IllegalStateException("./chainboot up failed (exit " + r.exit() + "):\n" + r.output().strip()
                    + "\n" + logs);
        }
        return cb;
    }

    public Path state() {
        return state;
    }

    public String upOutput() {
        return upOutput;
    }

    public String apiToken() {
        try {
            return Files.readString(state.resolve("api-token")).strip();
        } catch (IOException e) {
            throw new IllegalStateException("no API token in " + state.resolve("api-token"), e);
        }
    }

    /** The PID the supervisor recorded for a component (kafka, postgres, dhcp-service, ...) in run/chainboot.state. */
    public long pidOf(String component) {
        try {
            for (String line : Files.readAllLines(state.resolve("run").resolve("chainboot.state"))) {
                String[] f = line.split("\t");
                if (f.length >= 2 && f[0].equals(component)) {
                    return Long.parseLong(f[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read " + component + "'s pid from run/chainboot.state: " + e, e);
        }
        throw new IllegalStateException("no " + component + " in " + state.resolve("run/chainboot.state"));
    }

    /** {@code ./chainboot status}, run in the namespace. */
    public Cmd.Result status() {
        return ns.run(Duration.ofSeconds(60), root.resolve("chainboot").toString(), "status", "--state", state.toString());
    }

    /** HTTP request from inside the namespace with curl: returns "STATUS\nBODY"; {@code auth}: with the admin API token. */
    public Http http(String method, String url, String jsonBody, boolean auth) {
        return http(method, url, jsonBody, auth ? apiToken() : null);
    }

    /** HTTP request from inside the namespace with curl, with {@code bearer} as token when not null. */
    public Http http(String method, String url, String jsonBody, String bearer) {
        List<String> a = new ArrayList<>(List.of("curl", "-sS", "-m", "10", "-X", method, "-o", "-",
                "-w", "\n%{http_code}"));
        if (bearer != null) {
            a.addAll(List.of("-H", "Authorization: Bearer " + bearer));
        }
        if (jsonBody != null) {
            a.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", jsonBody));
        }
        a.add(url);
        Cmd.Result r = ns.run(Duration.ofSeconds(20), a.toArray(String[]::new));
        String out = r.output();
        int nl = out.lastIndexOf('\n');
        int code;
        try {
            code = Integer.parseInt(out.substring(nl + 1).strip());
        } catch (NumberFormatException e) {
            code = -1;
        }
        return new Http(code, nl < 0 ? out : out.substring(0, nl));
    }

    /** An HTTP answer. */
    public record Http(int status, String body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    public String inventoryUrl(String path) {
        return "http://" + TestNamespace.SERVER_IP + ":" + INVENTORY_PORT + path;
    }

    public String scriptUrl(String path) {
        return "http://" + TestNamespace.SERVER_IP + ":" + SCRIPT_PORT + path;
    }

    public String iscsiUrl(String path) {
        return "http://" + TestNamespace.SERVER_IP + ":" + ISCSI_PORT + path;
    }

    /**
     * {@code ./chainboot restart COMPONENT}: the supervisor starts the component again (same ports,
     * same data directory) whether it is running or not.
     */
    public Cmd.Result restart(String component) {
        return ns.run(Duration.ofSeconds(240), root.resolve("chainboot").toString(), "restart", component,
                "--state", state.toString());
    }

    /** The last characters of every log under {@code <state>/logs}, for failure messages. */
    public String logTails(int chars) {
        Path logs = state.resolve("logs");
        if (!Files.isDirectory(logs)) {
            return "(no logs directory " + logs + ")";
        }
        StringBuilder b = new StringBuilder();
        try (Stream<Path> s = Files.list(logs)) {
            for (Path p : s.sorted().toList()) {
                b.append(logTail(p.getFileName().toString(), chars));
            }
        } catch (IOException e) {
            b.append("(cannot list ").append(logs).append(")");
        }
        return b.toString();
    }

    /** The last characters of one log, e.g. {@code dhcp-service.log}. */
    public String logTail(String name, int chars) {
        Path p = state.resolve("logs").resolve(name);
        try {
            if (!Files.exists(p)) {
                return "--- " + name + ": (none)\n";
            }
            String s = Files.readString(p.toRealPath());
            return "--- " + name + " (tail):\n" + (s.length() <= chars ? s : s.substring(s.length() - chars)) + "\n";
        } catch (IOException e) {
            return "--- " + name + ": (unreadable: " + e.getMessage() + ")\n";
        }
    }

    public String log(String name) {
        try {
            Path p = state.resolve("logs").resolve(name);
            return Files.exists(p) ? Files.readString(p.toRealPath()) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** {@code ./chainboot down}; returns its output. Idempotent. */
    public String down() {
        if (down) {
            return "";
        }
        down = true;
        return ns.run(Duration.ofSeconds(120), root.resolve("chainboot").toString(), "down", "--state", state.toString())
                .output();
    }

    @Override
    public void close() {
        down();
    }
}
