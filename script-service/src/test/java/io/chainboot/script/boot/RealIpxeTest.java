package io.chainboot.script.boot;

import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.ScriptEvents;
import io.chainboot.script.testing.FixedMachines;
import io.chainboot.common.testing.RecordingPublisher;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scripts run in a real iPXE: QEMU's own iPXE ROM (Debian ipxe-qemu) on user-mode networking,
 * whose DHCP hands out our /boot.ipxe URL as the boot file (10.0.2.2 is the host's loopback). The
 * console (serial, via SeaBIOS) shows what iPXE did.
 */
@QuarkusTest
class RealIpxeTest {
    @TestHTTPResource("/")
    URL base;
    @Inject
    FixedMachines machines;
    @Inject
    RecordingPublisher events;

    /** Boots QEMU until {@code marker} appears on the console (or 150 s pass); returns the console text. */
    String bootUntil(String mac, String marker) throws Exception {
        String url = "http://10.0.2.2:" + base.getPort() + "/boot.ipxe?mac=" + MacAddress.parse(mac).toHyphenated()
                + "&platform=pcbios&arch=i386";
        Process qemu = new ProcessBuilder("qemu-system-x86_64", "-m", "128", "-nographic", "-vga", "none", "-no-reboot",
                "-boot", "n", "-netdev", "user,id=n0,bootfile=" + url, "-device", "e1000,netdev=n0,mac=" + mac)
                .redirectErrorStream(true).start();
        StringBuilder console = new StringBuilder();
        try (InputStream in = qemu.getInputStream()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            byte[] buf = new byte[4096];
            while (System.nanoTime() < deadline && !console.toString().contains(marker)) {
                if (in.available() > 0) {
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    console.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
                } else if (!qemu.isAlive()) {
                    break;
                } else {
                    Thread.sleep(100);
                }
            }
        } finally {
            qemu.destroy();
            if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
                qemu.destroyForcibly();
            }
        }
        return console.toString().replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "");
    }

    @Test
    void theDefaultMenuTimesOutToLocalWhichExitsToTheNextBootDevice() throws Exception {
        events.clear();
        String console = bootUntil("52:54:00:cb:00:01", "boots from its local disk");
        assertThat(console).contains("boot.ipxe").contains("Chainboot: 52:54:00:cb:00:01 boots from its local disk")
                .doesNotContain("Could not").doesNotContain("No such");
        // menu, then the menu's chain to profile=local: two scripts, both rendered
        assertThat(events.events()).filteredOn(e -> e instanceof ScriptEvents.Rendered)
                .extracting(e -> ((ScriptEvents.Rendered) e).profile()).containsSubsequence("menu", "local");
    }

    @Test
    void sanbootWithMutualChapIsRunAndItsFailureBlockRetries() throws Exception {
        MacAddress mac = MacAddress.parse("52:54:00:cb:00:03");
        machines.put(new MachineSpec(mac, null, "cb03", null, "sanboot", Map.of(), Map.of(),
                new MachineSpec.DiskAssignment(io.chainboot.events.DiskKind.OVERLAY, "debian", null),
                new MachineSpec.ChapPolicy(true, true), true, null, Instant.EPOCH));
        String console = bootUntil(mac.toString(), "retrying in 10 seconds");
        // iPXE parsed every line (settings, keep-san, the iscsi: root path) and reached the target's address
        assertThat(console).contains("Chainboot: sanboot failed for 52:54:00:cb:00:03, retrying in 10 seconds")
                .containsPattern("(?i)(connection refused|could not)");
        assertThat(console).doesNotContain("not found").doesNotContain("Invalid argument");
    }

    @Test
    void anErrorScriptShowsTheReasonOnTheConsole() throws Exception {
        machines.put(new MachineSpec(MacAddress.parse("52:54:00:cb:00:02"), null, null, null, "missing-profile",
                Map.of(), Map.of(), null, null, true, null, Instant.EPOCH));
        String console = bootUntil("52:54:00:cb:00:02", "Retrying in 10 seconds");
        assertThat(console).contains("Chainboot could not prepare a boot script for 52:54:00:cb:00:02:")
                .contains("profile ?missing-profile? (machine) does not exist");
        assertThat(List.copyOf(events.events())).anyMatch(e -> e instanceof ScriptEvents.Failed f && f.mac() != null
                && f.mac().equals(MacAddress.parse("52:54:00:cb:00:02")));
    }
}
