package io.chainboot.e2e;

import io.chainboot.e2e.harness.BootImages;
import io.chainboot.e2e.harness.Chainboot;
import io.chainboot.e2e.harness.Cmd;
import io.chainboot.e2e.harness.Prerequisites;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./chainboot demo --once}, exactly as a person runs it (minus the Enter presses): its own
 * namespace, {@code ./chainboot up}, a BIOS guest that boots its iSCSI disk, the dashboard forwarded
 * to a port on this host whose API shows the machine at SAN_ATTACHED — and afterwards nothing left:
 * no namespace, no process, the port free.
 */
class DemoTest {

    @Test
    @Timeout(480)
    void demoOnceBootsAMachineShowsItOnTheForwardedDashboardAndLeavesNothingBehind() throws Exception {
        Prerequisites.require(false);
        Path dir = Files.createDirectories(Path.of("target", "e2e", "demo")).toAbsolutePath();
        Path state = dir.resolve("state");
        BootImages.deleteTree(state);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path out = dir.resolve("demo.out");
        Process demo = new ProcessBuilder("env", "DEMO_STATE=" + state, "DEMO_PORT=" + port,
                Chainboot.checkoutRoot().resolve("chainboot").toString(), "demo", "--once", "--no-build")
                .redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String namespace = "cb-demo-" + demo.pid(); // env execs the launcher, which execs the demo script
        int rc;
        try {
            if (!demo.waitFor(420, TimeUnit.SECONDS)) {
                demo.destroy(); // SIGTERM: the demo tears itself down
                demo.waitFor(90, TimeUnit.SECONDS);
            }
            rc = demo.isAlive() ? -1 : demo.exitValue();
        } finally {
            if (demo.isAlive()) {
                demo.destroyForcibly();
            }
        }
        String text = Files.readString(out, StandardCharsets.UTF_8).replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "");
        List<String> leftInNamespace = leftovers(namespace);

        assertThat(rc).as("./chainboot demo --once failed (exit %d):%n%s", rc, tail(text)).isZero();
        assertThat(text).contains("dashboard: http://127.0.0.1:" + port + "/")
                .contains("HELLO-FROM-CHAINBOOT-ISCSI-DISK")
                .contains("the dashboard's API shows the boot")
                .contains("\"SAN_ATTACHED\"")
                .contains("tearing down");
        assertThat(leftInNamespace).as("the demo's namespace %s must be gone with everything in it", namespace).isEmpty();
        assertThat(Cmd.run("ss", "-Hltn", "sport = :" + port).output().strip()).as("the dashboard port after the demo")
                .isEmpty();
        String ps = Cmd.run("ps", "-eo", "pid,args").output();
        assertThat(ps.lines().filter(l -> l.contains(state.toString()) || l.contains("netns-forward.py " + namespace)))
                .as("processes of the demo left running").isEmpty();
    }

    /** What is left of the demo's namespace (its PIDs, or the namespace itself); cleans it up if anything is. */
    private static List<String> leftovers(String namespace) {
        if (!Cmd.run("ip", "netns", "list").output().lines().anyMatch(l -> l.split(" ")[0].equals(namespace))) {
            return List.of();
        }
        List<String> pids = Cmd.run("ip", "netns", "pids", namespace).output().lines().filter(l -> !l.isBlank()).toList();
        for (String p : pids) {
            Cmd.run("kill", "-KILL", p); // started by this test's demo, inside its own namespace
        }
        Cmd.run("ip", "netns", "del", namespace);
        return pids.isEmpty() ? List.of("namespace " + namespace) : pids;
    }

    private static String tail(String s) {
        return s.length() <= 6000 ? s : s.substring(s.length() - 6000);
    }
}
