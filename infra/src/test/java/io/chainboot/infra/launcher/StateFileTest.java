package io.chainboot.infra.launcher;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The state file round-trips, status reads it live, secrets are private, one-line failures stay one line. */
class StateFileTest {

    @Test
    void roundTripsAndSkipsDamagedLines() throws Exception {
        Path state = Files.createTempDirectory("cb-state");
        List<StateFile.Entry> entries = List.of(
                new StateFile.Entry("kafka", 42, "9092/tcp,9093/tcp", "tcp://127.0.0.1:9092", "/s/logs/kafka.log"),
                new StateFile.Entry("dhcp-service", 43, "8082/tcp,67/udp", "http://127.0.0.1:8082/q/health/ready", "/s/logs/dhcp-service.log"),
                new StateFile.Entry("supervisor", 41, "", "", "/s/logs/launcher.log"));
        StateFile.write(state, entries);
        assertThat(StateFile.read(state)).contains(entries);
        assertThat(StateFile.parse("# header\nbroken line\nx\tnot-a-pid\t-\t-\tlog\n")).isEmpty();
        assertThat(StateFile.read(state.resolve("nowhere"))).isEmpty();
    }

    @Test
    void statusSaysWhenAComponentIsGoneOrDown() throws Exception {
        Path state = Files.createTempDirectory("cb-state");
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            int closed = io.chainboot.infra.Ports.free();
            StateFile.write(state, List.of(
                    new StateFile.Entry("supervisor", ProcessHandle.current().pid(), "", "", "l"),
                    new StateFile.Entry("kafka", sleeper.pid(), closed + "/tcp", "tcp://127.0.0.1:" + closed, "l"),
                    new StateFile.Entry("tftp-service", Long.MAX_VALUE / 2, "8083/tcp", "http://127.0.0.1:" + closed + "/q/health/ready", "l")));
            List<Status.Row> rows = Status.check(state);
            assertThat(rows).extracting(Status.Row::health)
                    .containsExactly(Status.Health.UP, Status.Health.DOWN, Status.Health.NOT_RUNNING);
            assertThat(Status.format(rows)).contains("not running").contains("port " + closed + " closed");
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void secretsAreGeneratedOnceAndPrivate() throws Exception {
        Path f = Files.createTempDirectory("cb-state").resolve("cluster-secret");
        String s = StateDirectory.secret(f);
        assertThat(s).hasSize(48);
        assertThat(StateDirectory.secret(f)).isEqualTo(s);
        assertThat(Files.getPosixFilePermissions(f)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void settingsFileIsAPropertiesFileQuarkusReadsBack() throws Exception {
        String text = ServiceProperties.text(Map.of("chainboot.dhcp.script-url", "http://10.0.0.1:8081/boot.ipxe",
                "quarkus.datasource.password", "a#b=c\\d"));
        java.util.Properties p = new java.util.Properties();
        p.load(new java.io.StringReader(text));
        assertThat(p).containsEntry("chainboot.dhcp.script-url", "http://10.0.0.1:8081/boot.ipxe")
                .containsEntry("quarkus.datasource.password", "a#b=c\\d");
    }

    @Test
    void failuresAreOneLine() {
        assertThat(LogText.firstLines("kafka exited during start-up (see x):\nline 1\n\nERROR boom\n"))
                .isEqualTo("kafka exited during start-up (see x): — ERROR boom");
        assertThat(LogText.lastMeaningfulLine("INFO a\nERROR port 67 in use\nINFO shutting down\n")).isEqualTo("ERROR port 67 in use");
        assertThat(LogText.lastMeaningfulLine("INFO a\nINFO b\n\n")).isEqualTo("INFO b");
    }

    /** inventory-service refusing machines.yaml: one ERROR per problem, then Quarkus's own failure lines. */
    @Test
    void everyErrorAServiceLoggedIsPrintedOnceWithoutItsPrefix() {
        String tail = """
                21:06:32.767 INFO  [io.quarkus]  inventory-service starting
                21:06:33.001 ERROR [io.ch.in.ma.MachinesFile]  machines file /s/machines.yaml: machines[0].profile: unknown profile 'sanbot'
                21:06:33.002 ERROR [io.ch.in.ma.MachinesFile]  machines file /s/machines.yaml: machines[2].mac: 01:00:5e:00:00:01 is a group address
                21:06:33.010 ERROR [io.quarkus.runtime.Application] (main) Failed to start application
                	at io.chainboot.inventory.machines.MachinesFile.apply(MachinesFile.java:66)
                21:06:33.010 ERROR [io.quarkus.runtime.Application] (main) Failed to start application
                """;
        assertThat(LogText.errorMessages(tail, 20)).containsExactly(
                "machines file /s/machines.yaml: machines[0].profile: unknown profile 'sanbot'",
                "machines file /s/machines.yaml: machines[2].mac: 01:00:5e:00:00:01 is a group address",
                "Failed to start application");
        assertThat(LogText.errorMessages(tail, 1)).hasSize(1);
        assertThat(LogText.errorMessages("INFO all fine\n", 20)).isEmpty();
    }

    @Test
    void thePortHolderIsReadFromSs() {
        assertThat(PortCheck.ownerIn("UNCONN 0 0 0.0.0.0:67 0.0.0.0:* users:((\"dnsmasq\",pid=812,fd=4))\n"))
                .isEqualTo("dnsmasq,pid=812,fd=4");
        assertThat(PortCheck.ownerIn("UNCONN 0 0 0.0.0.0:67 0.0.0.0:*\n")).isEmpty();
    }
}
