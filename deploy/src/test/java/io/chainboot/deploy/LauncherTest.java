package io.chainboot.deploy;

import io.chainboot.infra.InfraPaths;
import io.chainboot.infra.launcher.StateFile;
import io.chainboot.common.testing.Eventually;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./chainboot} as the end-to-end tests use it: inside a network namespace (its own
 * loopback for Kafka/PostgreSQL and its own ports 67/69/3260), {@code up} in full DHCP mode brings
 * all seven processes healthy, {@code status} reports them, a service killed by hand shows as not
 * running, {@code down} leaves no process and no listening socket. A port already taken makes
 * {@code up} fail with one line naming it, leaving nothing behind. Needs root (CI runs as root).
 * Each test has its own state directory and leaves nothing running: they pass in any order.
 */
class LauncherTest {
    static final String NS = "cb-deploy-launcher";
    static final Path ROOT = InfraPaths.root();
    static Path state;
    static final List<Process> started = new ArrayList<>();

    record Result(int rc, String out) {
    }

    @BeforeAll
    static void namespace() throws Exception {
        Assumptions.assumeTrue(isRoot(), "needs root for a network namespace");
        Assumptions.assumeTrue(Files.isRegularFile(ROOT.resolve("dhcp-service/target/quarkus-app/quarkus-run.jar")),
                "services not packaged (run in the reactor: ./mvnw verify)");
        sh(30, "ip", "netns", "del", NS); // a leftover from a killed run
        mustRun("ip", "netns", "add", NS);
        mustRun("ip", "-n", NS, "link", "set", "lo", "up");
        mustRun("ip", "-n", NS, "link", "add", "br0", "type", "bridge");
        mustRun("ip", "-n", NS, "addr", "add", "10.77.0.1/24", "dev", "br0");
        mustRun("ip", "-n", NS, "link", "set", "br0", "up");
    }

    /** Each test its own state directory: nothing one test leaves (a state file, data, files) reaches the next. */
    @BeforeEach
    void freshState() throws IOException {
        state = Files.createTempDirectory("cb-launcher-state");
    }

    @AfterEach
    void stopAndRemoveState() throws Exception {
        if (state == null) {
            return;
        }
        sh(120, "ip", "netns", "exec", NS, ROOT.resolve("chainboot").toString(), "down", "--state", state.toString());
        // whatever the launcher recorded and is still alive was started by this test
        StateFile.read(state).ifPresent(es -> es.forEach(e -> ProcessHandle.of(e.pid()).ifPresent(ProcessHandle::destroyForcibly)));
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        started.clear();
        Eventually.until(() -> listening().isEmpty(), "nothing listening in " + NS + " after the test", Duration.ofSeconds(30));
        try (var files = Files.walk(state)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        state = null;
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        if (isRoot()) {
            sh(30, "ip", "netns", "del", NS);
        }
    }

    static boolean isRoot() {
        try {
            return Files.readString(Path.of("/proc/self/status")).lines()
                    .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    static Result chainboot(int timeoutSeconds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", NS, ROOT.resolve("chainboot").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--state", state.toString()));
        return sh(timeoutSeconds, cmd.toArray(String[]::new));
    }

    static Result sh(int timeoutSeconds, String... cmd) throws Exception {
        Path out = Files.createTempFile("cb-launcher", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(out));
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        return new Result(p.exitValue(), text);
    }

    static void mustRun(String... cmd) throws Exception {
        Result r = sh(30, cmd);
        assertThat(r.rc()).as(String.join(" ", cmd) + ": " + r.out()).isZero();
    }

    static String listening() throws Exception {
        return sh(30, "ip", "netns", "exec", NS, "ss", "-Hlntu").out().trim();
    }

    static String launcherLog() throws IOException {
        Path log = state.resolve("logs/launcher.log");
        return Files.exists(log) ? Files.readString(log) : "(no launcher log)";
    }

    @Test
    void aTakenPortFailsUpWithOneLineAndLeavesNothingRunning() throws Exception {
        // something else already listens on Kafka's port inside the namespace
        Process squatter = new ProcessBuilder("ip", "netns", "exec", NS, "busybox", "nc", "-l", "-p", "9092").start();
        started.add(squatter);
        Eventually.until(() -> listening().contains(":9092"), "the squatter listens on 9092", Duration.ofSeconds(5));
        Result up = chainboot(120, "up", "--no-build", "--address", "10.77.0.1");
        assertThat(up.rc()).as(up.out()).isNotZero();
        assertThat(up.out()).contains("chainboot: port 9092/tcp (kafka) is in use");
        squatter.destroy();
        squatter.waitFor(10, TimeUnit.SECONDS);
        Eventually.until(() -> listening().isEmpty(), "nothing left listening after a failed up", Duration.ofSeconds(5));
        assertThat(StateFile.read(state)).isEmpty();
    }

    /** Checked when given (issue 16): a machines file inventory refuses fails {@code up}, which prints each problem. */
    @Test
    void aBadMachinesFileFailsUpNamingEveryProblemOnItsOwnLine() throws Exception {
        Path machines = state.resolve("machines.yaml");
        Files.writeString(machines, """
                machines:
                  - {mac: '01:00:5e:00:00:01', hostname: first, profile: local}
                  - {mac: '52:54:00:00:77:02', hostname: fine, profile: local}
                  - {mac: 'ff:ff:ff:ff:ff:ff', hostname: third, profile: local}
                """);
        try {
            Result up = chainboot(300, "up", "--no-build", "--address", "10.77.0.1");
            assertThat(up.rc()).as(up.out()).isNotZero();
            assertThat(up.out()).contains("chainboot: inventory-service: exited during start-up");
            List<String> lines = up.out().lines().toList();
            assertThat(lines).as(up.out())
                    .anyMatch(l -> l.contains("machine #1 (01:00:5e:00:00:01): mac: ") && l.contains("group address"))
                    .anyMatch(l -> l.contains("machine #3 (ff:ff:ff:ff:ff:ff): mac: ") && l.contains("group address"))
                    .noneMatch(l -> l.contains("52:54:00:00:77:02"));
            Eventually.until(() -> listening().isEmpty(), "nothing left listening after a failed up", Duration.ofSeconds(5));
        } finally {
            Files.delete(machines);
        }
    }

    /** Checked when given (issue 16): profile files script-service refuses fail {@code up}, which prints each problem. */
    @Test
    void badProfileFilesFailUpNamingEveryProblemOnItsOwnLine() throws Exception {
        Path profiles = Files.createDirectories(state.resolve("profiles"));
        Path typo = profiles.resolve("typo.yaml");
        Path menu = profiles.resolve("lab-menu.yaml");
        Path fine = profiles.resolve("fine.yaml");
        Files.writeString(typo, "name: typo\nkind: local\nkernal: k\n");
        Files.writeString(menu, "name: lab-menu\nkind: menu\nitems: [{profile: ghost}]\n");
        Files.writeString(fine, "name: fine\nkind: local\n");
        try {
            Result up = chainboot(300, "up", "--no-build", "--address", "10.77.0.1");
            assertThat(up.rc()).as(up.out()).isNotZero();
            assertThat(up.out()).contains("chainboot: script-service: exited during start-up");
            List<String> lines = up.out().lines().toList();
            assertThat(lines).as(up.out())
                    .anyMatch(l -> l.contains("profile file ") && l.contains("typo.yaml: unknown field 'kernal'"))
                    .anyMatch(l -> l.contains("profile file ") && l.contains("lab-menu.yaml: menu lab-menu: item ghost names no profile"))
                    .noneMatch(l -> l.contains("fine.yaml"));
            Eventually.until(() -> listening().isEmpty(), "nothing left listening after a failed up", Duration.ofSeconds(5));
        } finally {
            Files.delete(typo);
            Files.delete(menu);
            Files.delete(fine);
        }
    }

    @Test
    void upStatusKillDown() throws Exception {
        Result up = chainboot(300, "up", "--no-build", "--address", "10.77.0.1", "--interface", "br0", "--dhcp-mode", "full",
                "--pool", "10.77.0.100-10.77.0.200");
        assertThat(up.rc()).as(up.out() + "\n" + launcherLog()).isZero();
        assertThat(up.out()).contains("7 components healthy").contains("http://10.77.0.1:8080/").contains("DHCP 67/udp");

        Result status = chainboot(60, "status");
        assertThat(status.rc()).as(status.out()).isZero();
        assertThat(status.out().lines().filter(l -> l.endsWith(" UP")).count()).as(status.out()).isEqualTo(8);

        List<StateFile.Entry> entries = StateFile.read(state).orElseThrow();
        assertThat(entries).extracting(StateFile.Entry::name).containsExactly("supervisor", "kafka", "postgres",
                "inventory-service", "script-service", "dhcp-service", "tftp-service", "iscsi-service");
        String sockets = listening();
        for (String port : List.of(":9092", ":9093", ":5433", ":8080", ":8081", ":8082", ":8083", ":8084")) {
            assertThat(sockets).as("listening in the namespace").contains(port);
        }

        // the settings reached the service: dhcp-service runs in full mode on br0
        String dhcpConfig = Files.readString(state.resolve("run/dhcp-service/config/application.properties"));
        assertThat(dhcpConfig).contains("chainboot.dhcp.mode=full").contains("chainboot.dhcp.pool.start=10.77.0.100");

        // a stopped Kafka comes back with ./chainboot restart kafka: same port, a new pid in the state file
        long kafka = entries.stream().filter(e -> e.name().equals("kafka")).findFirst().orElseThrow().pid();
        ProcessHandle.of(kafka).orElseThrow().destroy();
        ProcessHandle.of(kafka).ifPresent(h -> h.onExit().join());
        assertThat(listening()).as("Kafka's port after SIGTERM").doesNotContain(":9092 ");
        Result restart = chainboot(300, "restart", "kafka");
        assertThat(restart.rc()).as(restart.out() + "\n" + launcherLog()).isZero();
        assertThat(restart.out()).contains("kafka restarted on 127.0.0.1:9092");
        long kafkaAgain = StateFile.read(state).orElseThrow().stream().filter(e -> e.name().equals("kafka")).findFirst()
                .orElseThrow().pid();
        assertThat(kafkaAgain).isNotEqualTo(kafka);
        assertThat(ProcessHandle.of(kafkaAgain).map(ProcessHandle::isAlive)).contains(true);
        Result restarted = chainboot(60, "status");
        assertThat(restarted.rc()).as(restarted.out()).isZero();
        Result notRestartable = chainboot(30, "restart", "tftp-service");
        assertThat(notRestartable.rc()).isNotZero();
        assertThat(notRestartable.out()).contains("./chainboot restart kafka");
        entries = StateFile.read(state).orElseThrow();

        long tftp = entries.stream().filter(e -> e.name().equals("tftp-service")).findFirst().orElseThrow().pid();
        ProcessHandle.of(tftp).orElseThrow().destroyForcibly();
        ProcessHandle.of(tftp).ifPresent(h -> h.onExit().join());
        Result after = chainboot(60, "status");
        assertThat(after.rc()).isEqualTo(3);
        assertThat(after.out()).containsPattern("tftp-service\\s+-\\s+\\S+\\s+not running");
        assertThat(after.out().lines().filter(l -> l.endsWith(" UP")).count()).isEqualTo(7);

        Result down = chainboot(150, "down");
        assertThat(down.rc()).as(down.out()).isZero();
        for (StateFile.Entry e : entries) {
            assertThat(ProcessHandle.of(e.pid()).map(ProcessHandle::isAlive)).as(e.name() + " after down").isNotEqualTo(Optional.of(true));
        }
        assertThat(listening()).as("no listening port after down").isEmpty();
        Result gone = chainboot(60, "status");
        assertThat(gone.rc()).isEqualTo(3);
        assertThat(gone.out()).contains("not running");
    }

    @Test
    void nothingOutlivesAKilledSupervisor() throws Exception {
        Result up = chainboot(300, "up", "--no-build", "--address", "10.77.0.1");
        assertThat(up.rc()).as(up.out() + "\n" + launcherLog()).isZero();
        List<StateFile.Entry> entries = StateFile.read(state).orElseThrow();
        long supervisor = entries.get(0).pid();
        List<ProcessHandle> all = new ArrayList<>();
        for (StateFile.Entry e : entries) {
            ProcessHandle.of(e.pid()).ifPresent(h -> {
                all.add(h);
                h.descendants().forEach(all::add); // PostgreSQL's postmaster and its workers under the watching shell
            });
        }
        assertThat(all.size()).isGreaterThan(entries.size());

        ProcessHandle.of(supervisor).orElseThrow().destroyForcibly(); // kill -9: no shutdown hook runs
        Eventually.untilAsserted(() -> assertThat(all.stream().filter(ProcessHandle::isAlive)
                .map(h -> h.pid() + " " + h.info().commandLine().orElse("")))
                .as("children of a supervisor killed with SIGKILL").isEmpty(), Duration.ofSeconds(60));
        Eventually.until(() -> listening().isEmpty(), "nothing listening once the children are gone", Duration.ofSeconds(5));
        Result status = chainboot(60, "status");
        assertThat(status.rc()).isEqualTo(3);
        assertThat(status.out()).contains("supervisor").contains("not running").doesNotContain(" UP");
    }
}
