package io.chainboot.infra.launcher;

import io.chainboot.infra.ChildProcess;
import io.chainboot.infra.InfraPaths;
import io.chainboot.infra.KafkaBroker;
import io.chainboot.infra.PostgresServer;
import io.chainboot.infra.launcher.LaunchPlan.PortUse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
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
    /** Components {@code ./chainboot restart} can start again. */
    static final List<String> RESTARTABLE = List.of("kafka");

    private final LaunchPlan plan;
    private final Path state;
    private final StateDirectory dir;
    private final Path root;
    private final ReadinessProbe probe = new ReadinessProbe();
    private final Object lock = new Object();
    private final List<ChildProcess> services = Collections.synchronizedList(new ArrayList<>());
    private KafkaBroker kafka;
    private PostgresServer postgres;
    private volatile boolean stopping;
    private final Instant started = Instant.now();

    public Supervisor(LaunchPlan plan, Path root) {
        this.plan = plan;
        this.state = plan.options().state();
        this.dir = new StateDirectory(state);
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
        Optional<String> portClash = PortCheck.firstProblem(plan.ports());
        if (portClash.isPresent()) {
            throw new StartFailure(portClash.get());
        }
        LaunchPlan.Runtime rt;
        Path logs = dir.logs();
        try {
            dir.prepare();
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
            Renice.component("kafka", kafka.process().pid());
            await("postgres", p);
            Renice.component("postgres", postgres.process().pid());
            log(String.format("postgres ready on 127.0.0.1:%d (pid %d) after %.1f s", postgres.port(), postgres.process().pid(), secs(t0)));
            dir.linkLog("kafka.log", state.resolve("kafka/kafka.log"));
            dir.linkLog("postgres.log", state.resolve("postgres/postgres.log"));
            try {
                rt = new LaunchPlan.Runtime(state, dir.secret("cluster-secret"), dir.secret("api-token"),
                        postgres.jdbcUrl(), postgres.username(), postgres.password(), dir.machinesFile());
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
            throw new StartFailure(what + ": " + LogText.firstLines(String.valueOf(c.getMessage())));
        } catch (TimeoutException e) {
            throw new StartFailure(what + ": not started within " + plan.options().timeoutSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartFailure(what + ": interrupted");
        }
    }

    private void startService(String svc, LaunchPlan.Runtime rt, Path logs) throws StartFailure, IOException {
        Path jar = root.resolve(svc).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new StartFailure(svc + ": not built (" + jar + " missing): run ./mvnw -DskipTests install");
        }
        Path work = dir.run().resolve(svc);
        ServiceProperties.write(work.resolve("config/application.properties"), plan.settings(svc, rt));
        List<String> cmd = new java.util.ArrayList<>();
        if (LaunchPlan.niceness(svc) > 0) {
            cmd.addAll(List.of("nice", "-n", String.valueOf(LaunchPlan.niceness(svc))));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(LaunchPlan.jvmOptions(svc));
        cmd.addAll(List.of(
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
        String last = "no answer";
        try {
            while (System.nanoTime() < deadline) {
                if (!child.isAlive()) {
                    throw exitedDuringStart(svc, child, log);
                }
                Optional<String> notReady = probe.notReady(url);
                if (notReady.isEmpty()) {
                    log(String.format("%s ready (pid %d) after %.1f s", svc, child.pid(), secs(t0)));
                    return;
                }
                last = notReady.get();
                Thread.sleep(250);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartFailure(svc + ": interrupted");
        }
        throw new StartFailure(svc + ": not ready after " + plan.options().timeoutSeconds() + " s (" + last
                + ") — " + LogText.lastMeaningfulLine(child.logTail(80)));
    }

    /**
     * A service that exited while starting: its exit code, and each problem it logged as an ERROR on
     * a line of its own (a refused machines.yaml or profile names every bad field, one per line).
     */
    private static StartFailure exitedDuringStart(String svc, ChildProcess child, Path log) {
        String tail = child.logTail(200);
        List<String> errors = LogText.errorMessages(tail, 20);
        StringBuilder b = new StringBuilder(svc + ": exited during start-up (rc " + child.process().exitValue() + ") — ");
        if (errors.isEmpty()) {
            b.append(LogText.lastMeaningfulLine(tail)).append(" (see ").append(log).append(')');
        } else {
            b.append(errors.size()).append(" error(s) logged (see ").append(log).append("):");
            errors.forEach(e -> b.append("\n  ").append(e));
        }
        return new StartFailure(b.toString());
    }

    /** Waits until every running service answers its readiness check with 200; the first that does not, if any. */
    private Optional<String> awaitServicesReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> pending = new ArrayList<>(LaunchPlan.SERVICES);
        try {
            while (!pending.isEmpty() && !stopping) {
                String svc = pending.get(0);
                Optional<String> notReady = probe.notReady(healthUrl(svc));
                if (notReady.isEmpty()) {
                    pending.remove(0);
                    continue;
                }
                if (System.nanoTime() > deadline) {
                    return Optional.of(svc + " is not ready after " + timeout.toSeconds() + " s (" + notReady.get() + ")");
                }
                Thread.sleep(250);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
        return Optional.empty();
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
        dir.clearRunFiles();
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
            dir.takeRestartRequest().ifPresent(what -> {
                String answer = restart(what);
                reported.remove(what);
                log("restart " + what + ": " + answer);
                dir.answerRestart(answer);
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
            Renice.component("kafka", kafka.process().pid());
            if (stopping) {
                return "failed stopping";
            }
            writeStateFile(dir.logs());
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
            return "failed " + what + ": " + LogText.firstLines(String.valueOf(e.getMessage()));
        }
    }

    /** One line naming the part that failed and why, then (indented, one per line) the problems a service logged. */
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
