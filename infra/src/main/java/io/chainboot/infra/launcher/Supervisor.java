package io.chainboot.infra.launcher;

import io.chainboot.infra.ChildProcess;
import io.chainboot.infra.InfraPaths;
import io.chainboot.infra.KafkaBroker;
import io.chainboot.infra.PostgresServer;
import io.chainboot.infra.launcher.LaunchPlan.PortUse;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The long-lived launcher process: starts Kafka and PostgreSQL (in parallel), then the five
 * services (in parallel; with a machines file, inventory and tftp first — {@link LaunchPlan#startPhases}),
 * waits until each is ready, records them in the {@link StateFile}, and
 * then stays alive as their parent. Every child holds a stdin pipe to this JVM, so they all exit
 * when it does, even on kill -9. On SIGTERM it stops the services, then PostgreSQL, then Kafka.
 *
 * <p>Never half-started: the first failure is reported as one line in {@code run/result}
 * ({@code failed <line>}), everything already started is stopped and the JVM exits non-zero.
 */
public final class Supervisor {
    public static final String RESULT_FILE = "result";
    /** {@code run/restart.request}: a component name written by {@code ./chainboot restart NAME}. */
    public static final String RESTART_REQUEST = "restart.request";
    /** {@code run/restart.result}: "ok <summary>" or "failed <one line>", the answer to a restart request. */
    public static final String RESTART_RESULT = "restart.result";
    /** Components {@code ./chainboot restart} can start again. */
    static final List<String> RESTARTABLE = List.of("kafka");
    private static final Set<PosixFilePermission> OWNER_ONLY = Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final LaunchPlan plan;
    private final Path state;
    private final Path root;
    private final Object lock = new Object();
    private final List<ChildProcess> services = Collections.synchronizedList(new ArrayList<>());
    private KafkaBroker kafka;
    private PostgresServer postgres;
    private volatile boolean stopping;
    private final Instant started = Instant.now();

    public Supervisor(LaunchPlan plan, Path root) {
        this.plan = plan;
        this.state = plan.options().state();
        this.root = root;
    }

    static void log(String msg) {
        System.out.println(Instant.now() + " " + msg);
        System.out.flush();
    }

    /** Start everything; on success return the ready summary, on failure throw {@link StartFailure}. */
    public String start() throws StartFailure {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "chainboot-stop"));
        for (String n : plan.notices()) {
            log("notice: " + n);
        }
        preflight();
        LaunchPlan.Runtime rt;
        Path logs = state.resolve("logs");
        try {
            prepareState();
        } catch (IOException e) {
            throw new StartFailure("state directory " + state + ": " + e.getMessage());
        }
        ExecutorService pool = Executors.newFixedThreadPool(LaunchPlan.SERVICES.size());
        try {
            long t0 = System.nanoTime();
            Future<?> k = pool.submit(() -> {
                synchronized (lock) {
                    if (stopping) {
                        throw new IllegalStateException("stopping");
                    }
                    kafka = new KafkaBroker(state.resolve("kafka"), "127.0.0.1", plan.options().kafkaPort(), plan.options().kafkaPort() + 1);
                }
                kafka.start(Duration.ofSeconds(plan.options().timeoutSeconds()));
                return null;
            });
            Future<?> p = pool.submit(() -> {
                synchronized (lock) {
                    if (stopping) {
                        throw new IllegalStateException("stopping");
                    }
                    postgres = new PostgresServer(state.resolve("postgres"), plan.options().postgresPort(), true);
                }
                postgres.start(Duration.ofSeconds(plan.options().timeoutSeconds()));
                return null;
            });
            await("kafka", k);
            log(String.format("kafka ready on %s (pid %d) after %.1f s", plan.kafkaBootstrap(), kafka.process().pid(), secs(t0)));
            deprioritize("kafka", kafka.process().pid());
            await("postgres", p);
            deprioritize("postgres", postgres.process().pid());
            log(String.format("postgres ready on 127.0.0.1:%d (pid %d) after %.1f s", postgres.port(), postgres.process().pid(), secs(t0)));
            link(logs.resolve("kafka.log"), state.resolve("kafka/kafka.log"));
            link(logs.resolve("postgres.log"), state.resolve("postgres/postgres.log"));
            try {
                rt = new LaunchPlan.Runtime(state, secret(state.resolve("cluster-secret")), secret(state.resolve("api-token")),
                        postgres.jdbcUrl(), postgres.username(), postgres.password(),
                        Optional.of(state.resolve("machines.yaml")).filter(Files::isRegularFile));
            } catch (IOException e) {
                throw new StartFailure("secrets in " + state + ": " + e.getMessage());
            }
            for (List<String> phase : LaunchPlan.startPhases(rt.machinesFile().isPresent())) {
                Map<String, Future<?>> started = new LinkedHashMap<>();
                for (String svc : phase) {
                    started.put(svc, pool.submit(() -> {
                        startService(svc, rt, logs);
                        return null;
                    }));
                }
                for (Map.Entry<String, Future<?>> e : started.entrySet()) {
                    await(e.getKey(), e.getValue());
                }
            }
            log(String.format("all seven components healthy after %.1f s", secs(t0)));
            writeStateFile(logs);
            return summary();
        } finally {
            pool.shutdownNow();
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private void await(String what, Future<?> f) throws StartFailure {
        try {
            f.get(plan.options().timeoutSeconds() + 30L, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof StartFailure) {
                throw (StartFailure) c;
            }
            throw new StartFailure(what + ": " + firstLines(String.valueOf(c.getMessage())));
        } catch (TimeoutException e) {
            throw new StartFailure(what + ": not started within " + plan.options().timeoutSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartFailure(what + ": interrupted");
        }
    }

    /** The message of a child's failure, squeezed into one line: the reason, then its last log line. */
    static String firstLines(String msg) {
        String[] lines = msg.split("\n");
        String head = lines[0].trim();
        String last = "";
        for (int i = lines.length - 1; i > 0; i--) {
            if (!lines[i].isBlank()) {
                last = lines[i].trim();
                break;
            }
        }
        String out = last.isEmpty() ? head : head + " — " + last;
        return out.length() > 400 ? out.substring(0, 400) + "…" : out;
    }

    /** Every port must be free before anything starts, so a clash is reported by name, not as a crashed service. */
    private void preflight() throws StartFailure {
        for (PortUse p : plan.ports()) {
            Optional<String> problem = portProblem(p);
            if (problem.isPresent()) {
                throw new StartFailure("port " + p + " (" + p.component() + ") " + problem.get());
            }
        }
    }

    private static Optional<String> portProblem(PortUse p) {
        try {
            if (p.protocol().equals("udp")) {
                try (DatagramSocket s = new DatagramSocket(null)) {
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress(p.port()));
                }
            } else {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress(p.port()));
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            String who = portOwner(p);
            return Optional.of("is in use" + (who.isEmpty() ? "" : " by " + who) + " (" + e.getMessage() + ")");
        }
    }

    /** Best effort: the process that holds a port, as {@code ss -p} tells it. */
    private static String portOwner(PortUse p) {
        try {
            Process ss = new ProcessBuilder("ss", "-Hlnp", p.protocol().equals("udp") ? "-u" : "-t", "sport = :" + p.port())
                    .redirectErrorStream(true).start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ss.waitFor(3, TimeUnit.SECONDS);
            int i = out.indexOf("users:((");
            if (i >= 0) {
                int end = out.indexOf(')', i);
                return out.substring(i + 8, end < 0 ? out.length() : end).replace("\"", "");
            }
        } catch (IOException e) {
            // no ss: fine
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    private void prepareState() throws IOException {
        for (String d : List.of("logs", "run", "dhcp", "tftp", "profiles", "assets", "iscsi/disks", "iscsi/images")) {
            Files.createDirectories(state.resolve(d));
        }
        for (String f : List.of("undionly.kpxe", "ipxe.efi", "snponly.efi")) {
            Path src = Path.of("/usr/lib/ipxe", f);
            Path dst = state.resolve("tftp").resolve(f);
            if (Files.isReadable(src) && !Files.exists(dst)) {
                Files.copy(src, dst); // follows the symlink: copies the build, not the link
                log("copied " + src + " to " + dst);
            }
        }
    }

    /** A random secret generated once into a 0600 file, then reused. */
    static String secret(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] b = new byte[24];
            new SecureRandom().nextBytes(b);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.writeString(tmp, HexFormat.of().formatHex(b) + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        }
        return Files.readString(file).trim();
    }

    private static void link(Path link, Path target) {
        try {
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, link.getParent().relativize(target));
            }
        } catch (IOException e) {
            log("cannot link " + link + ": " + e.getMessage());
        }
    }

    /**
     * Lowers a started component to {@link LaunchPlan#niceness}: every thread of it and of its
     * children (Linux niceness is per thread; threads and processes created later inherit it). A
     * failure is logged, not fatal: priorities are an optimisation.
     */
    private static void deprioritize(String component, long pid) {
        int nice = LaunchPlan.niceness(component);
        if (nice <= 0) {
            return;
        }
        List<String> cmd = new java.util.ArrayList<>(List.of("renice", "-n", String.valueOf(nice), "-p"));
        java.util.stream.Stream.concat(ProcessHandle.of(pid).stream(), ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants))
                .forEach(h -> {
                    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(h.pid()), "task"))) {
                        tasks.forEach(t -> cmd.add(t.getFileName().toString()));
                    } catch (IOException e) {
                        cmd.add(String.valueOf(h.pid()));
                    }
                });
        try {
            Process r = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!r.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || r.exitValue() != 0) {
                log(component + ": renice to " + nice + " failed (rc " + (r.isAlive() ? "timeout" : r.exitValue()) + ")");
            }
        } catch (IOException e) {
            log(component + ": renice to " + nice + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void startService(String svc, LaunchPlan.Runtime rt, Path logs) throws StartFailure, IOException {
        Path jar = root.resolve(svc).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new StartFailure(svc + ": not built (" + jar + " missing): run ./mvnw -DskipTests install");
        }
        Path work = state.resolve("run").resolve(svc);
        Path config = work.resolve("config/application.properties");
        Files.createDirectories(config.getParent());
        Files.deleteIfExists(config);
        Files.createFile(config, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.writeString(config, properties(plan.settings(svc, rt)));
        List<String> cmd = new java.util.ArrayList<>();
        if (LaunchPlan.niceness(svc) > 0) {
            cmd.addAll(List.of("nice", "-n", String.valueOf(LaunchPlan.niceness(svc))));
        }
        cmd.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms32m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
                "-Xshare:auto", "-Djava.net.preferIPv4Stack=true",
                "-Dchainboot.common.die-with-parent=true",
                "-Dchainboot.component=" + svc,
                "-jar", jar.toString()));
        Path log = logs.resolve(svc + ".log");
        ChildProcess child;
        synchronized (lock) {
            if (stopping) {
                throw new StartFailure(svc + ": stopping");
            }
            // the service's working directory holds config/application.properties (Quarkus reads it, ordinal 260)
            child = ChildProcess.start(svc, cmd, Map.of(), work, log);
            services.add(child);
        }
        log(svc + " started (pid " + child.pid() + ")");
        String url = healthUrl(svc);
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(plan.options().timeoutSeconds());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                throw new StartFailure(svc + ": exited during start-up (rc " + child.process().exitValue() + ") — "
                        + lastMeaningfulLine(child.logTail(80)) + " (see " + log + ")");
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    log(String.format("%s ready (pid %d) after %.1f s", svc, child.pid(), secs(t0)));
                    return;
                }
                last = "health " + r.statusCode() + ": " + r.body().replaceAll("\\s+", " ");
            } catch (IOException e) {
                last = "no answer on " + url;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartFailure(svc + ": interrupted");
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartFailure(svc + ": interrupted");
            }
        }
        throw new StartFailure(svc + ": not ready after " + plan.options().timeoutSeconds() + " s (" + shorten(last)
                + ") — " + lastMeaningfulLine(child.logTail(80)));
    }

    /** Waits until every running service answers its readiness check with 200; the first that does not, if any. */
    private Optional<String> awaitServicesReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> pending = new ArrayList<>(LaunchPlan.SERVICES);
        String last = "";
        while (!pending.isEmpty() && !stopping) {
            String svc = pending.get(0);
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(healthUrl(svc))).timeout(Duration.ofSeconds(3))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    pending.remove(0);
                    continue;
                }
                last = "health " + r.statusCode() + ": " + r.body().replaceAll("\\s+", " ");
            } catch (IOException e) {
                last = "no answer on " + healthUrl(svc);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted");
            }
            if (System.nanoTime() > deadline) {
                return Optional.of(svc + " is not ready after " + timeout.toSeconds() + " s (" + shorten(last) + ")");
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted");
            }
        }
        return Optional.empty();
    }

    private static String shorten(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    /** The last ERROR line of a log tail, else its last non-blank line. */
    static String lastMeaningfulLine(String tail) {
        String[] lines = tail.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].contains("ERROR")) {
                return shorten(lines[i].trim());
            }
        }
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                return shorten(lines[i].trim());
            }
        }
        return "(empty log)";
    }

    static String properties(Map<String, String> settings) {
        StringBuilder b = new StringBuilder("# written by ./chainboot up; regenerated on every start\n");
        settings.forEach((k, v) -> b.append(k).append('=').append(escape(v)).append('\n'));
        return b.toString();
    }

    private static String escape(String v) {
        StringBuilder b = new StringBuilder();
        for (char c : v.toCharArray()) {
            if (c == '\\' || c == '\n' || c == '\r' || c == '#' || c == '!' || c == '=' || c == ':') {
                b.append('\\');
            }
            b.append(c == '\n' ? 'n' : c == '\r' ? 'r' : c);
        }
        if (!v.isEmpty() && v.charAt(0) == ' ') {
            b.insert(0, '\\');
        }
        return b.toString();
    }

    private String healthUrl(String svc) {
        return "http://127.0.0.1:" + plan.httpPort(svc) + "/q/health/ready";
    }

    private void writeStateFile(Path logs) throws StartFailure {
        List<StateFile.Entry> entries = new ArrayList<>();
        entries.add(new StateFile.Entry("supervisor", ProcessHandle.current().pid(), "", "", logs.resolve("launcher.log").toString()));
        entries.add(new StateFile.Entry("kafka", kafka.process().pid(), join(plan.ports("kafka")),
                "tcp://127.0.0.1:" + plan.options().kafkaPort(), logs.resolve("kafka.log").toString()));
        entries.add(new StateFile.Entry("postgres", postgres.process().pid(), join(plan.ports("postgres")),
                "tcp://127.0.0.1:" + plan.options().postgresPort(), logs.resolve("postgres.log").toString()));
        synchronized (services) {
            for (String svc : LaunchPlan.SERVICES) {
                ChildProcess c = services.stream().filter(s -> s.name().equals(svc)).findFirst().orElseThrow();
                entries.add(new StateFile.Entry(svc, c.pid(), join(plan.ports(svc)), healthUrl(svc), c.log().toString()));
            }
        }
        try {
            StateFile.write(state, entries);
        } catch (IOException e) {
            throw new StartFailure("cannot write " + StateFile.path(state) + ": " + e.getMessage());
        }
    }

    private static String join(List<PortUse> ports) {
        return String.join(",", ports.stream().map(PortUse::toString).toList());
    }

    private String summary() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("Chainboot is up (%.0f s): 7 components healthy, DHCP %s mode on %s%s%n",
                Duration.between(started, Instant.now()).toMillis() / 1000.0,
                plan.options().dhcpMode().name().toLowerCase(), plan.address(), plan.interfaceName().map(i -> " (" + i + ")").orElse("")));
        for (String n : plan.notices()) {
            b.append("  notice: ").append(n).append('\n');
        }
        b.append("  dashboard    ").append(plan.dashboardUrl()).append('\n');
        b.append("  API          ").append(plan.dashboardUrl()).append("api  (token in ").append(state.resolve("api-token")).append(")\n");
        b.append("  boot script  ").append(plan.scriptBaseUrl()).append("/boot.ipxe\n");
        b.append("  DHCP ").append(plan.dhcpPort()).append("/udp, proxyDHCP ").append(plan.proxyPort()).append("/udp, TFTP ")
                .append(plan.tftpPort()).append("/udp, iSCSI ").append(plan.address()).append(':').append(plan.iscsiPort()).append('\n');
        b.append("  logs         ").append(state.resolve("logs")).append("  (./chainboot logs NAME)\n");
        b.append("  stop with    ./chainboot down").append(stateHint()).append('\n');
        return b.toString();
    }

    private String stateHint() {
        Path cwdState = Path.of("").toAbsolutePath().resolve("state").normalize();
        return state.equals(cwdState) ? "" : " --state " + state;
    }

    /** Stop services (in parallel), then PostgreSQL, then Kafka. Idempotent. */
    void stopAll() {
        synchronized (lock) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        log("stopping");
        List<ChildProcess> svc;
        synchronized (services) {
            svc = new ArrayList<>(services);
        }
        Collections.reverse(svc);
        List<Thread> threads = new ArrayList<>();
        for (ChildProcess c : svc) {
            Thread t = new Thread(() -> {
                c.stop(20);
                log(c.name() + " stopped");
            }, "stop-" + c.name());
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (postgres != null) {
            postgres.close();
            log("postgres stopped");
        }
        if (kafka != null) {
            kafka.close();
            log("kafka stopped");
        }
        try {
            Files.deleteIfExists(StateFile.path(state));
            Files.deleteIfExists(state.resolve("run").resolve(RESULT_FILE));
            Files.deleteIfExists(state.resolve("run").resolve("supervisor.pid"));
        } catch (IOException e) {
            log("cannot clean run files: " + e.getMessage());
        }
        log("stopped");
    }

    /**
     * After a successful start: report children that die (they are not restarted on their own) and
     * serve {@code ./chainboot restart} requests, until SIGTERM ends this JVM.
     */
    void watch() throws InterruptedException {
        Set<String> reported = new java.util.HashSet<>();
        long nextCheck = 0;
        while (!stopping) {
            Thread.sleep(250);
            restartRequest().ifPresent(what -> {
                String answer = restart(what);
                reported.remove(what);
                log("restart " + what + ": " + answer);
                answerRestart(answer);
            });
            if (System.nanoTime() < nextCheck) {
                continue;
            }
            nextCheck = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            List<ChildProcess> all = new ArrayList<>();
            synchronized (services) {
                all.addAll(services);
            }
            if (kafka != null && kafka.process() != null) {
                all.add(kafka.process());
            }
            if (postgres != null && postgres.process() != null) {
                all.add(postgres.process());
            }
            for (ChildProcess c : all) {
                if (!c.isAlive() && !stopping && reported.add(c.name())) {
                    log(c.name() + " (pid " + c.pid() + ") exited with rc " + c.process().exitValue()
                            + " — not restarted; see " + c.log() + ", ./chainboot status"
                            + (RESTARTABLE.contains(c.name()) ? ", ./chainboot restart " + c.name() : ""));
                }
            }
        }
    }

    /** A pending {@code run/restart.request} (consumed), if any. */
    private Optional<String> restartRequest() {
        Path req = state.resolve("run").resolve(RESTART_REQUEST);
        try {
            if (!Files.exists(req)) {
                return Optional.empty();
            }
            String what = Files.readString(req).strip();
            Files.deleteIfExists(req);
            return Optional.of(what);
        } catch (IOException e) {
            log("cannot read " + req + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private void answerRestart(String answer) {
        Path run = state.resolve("run");
        Path tmp = run.resolve(RESTART_RESULT + ".tmp");
        try {
            Files.writeString(tmp, answer + "\n");
            Files.move(tmp, run.resolve(RESTART_RESULT), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log("cannot write " + run.resolve(RESTART_RESULT) + ": " + e.getMessage());
        }
    }

    /**
     * Starts a component again — stopped first if it still runs — on the same ports and data
     * directory, waits until it and then every service (their readiness includes Kafka) are ready,
     * and records its new PID in run/chainboot.state. Today only
     * Kafka (a broker that was stopped or crashed; the services' clients reconnect and send what
     * they buffered). Returns "ok …" or "failed …" (one line).
     */
    String restart(String what) {
        if (!RESTARTABLE.contains(what)) {
            return "failed cannot restart '" + what + "': only " + String.join(", ", RESTARTABLE);
        }
        long t0 = System.nanoTime();
        try {
            synchronized (lock) {
                if (stopping) {
                    return "failed stopping";
                }
            }
            long old = kafka.process() == null ? -1 : kafka.process().pid();
            kafka.close();
            kafka.start(Duration.ofSeconds(plan.options().timeoutSeconds()));
            deprioritize("kafka", kafka.process().pid());
            if (stopping) {
                return "failed stopping";
            }
            writeStateFile(state.resolve("logs"));
            double broker = secs(t0);
            // the services' readiness includes their Kafka clients: answer once they are ready again
            Optional<String> notReady = awaitServicesReady(Duration.ofSeconds(plan.options().timeoutSeconds()));
            if (notReady.isPresent()) {
                return String.format("failed kafka restarted on %s (pid %d) but %s", plan.kafkaBootstrap(),
                        kafka.process().pid(), notReady.get());
            }
            return String.format("ok kafka restarted on %s (pid %d, was %d) in %.1f s, services ready again after %.1f s",
                    plan.kafkaBootstrap(), kafka.process().pid(), old, broker, secs(t0));
        } catch (StartFailure e) {
            return "failed " + e.getMessage();
        } catch (RuntimeException e) {
            return "failed " + what + ": " + firstLines(String.valueOf(e.getMessage()));
        }
    }

    /** One line naming the part that failed and why. */
    public static final class StartFailure extends Exception {
        public StartFailure(String message) {
            super(message);
        }
    }

    /** Used by {@link Main}: the checkout root, for the services' jars. */
    static Path checkoutRoot() {
        return InfraPaths.root();
    }
}
