package io.chainboot.e2e;

import io.chainboot.e2e.harness.BootChain;
import io.chainboot.e2e.harness.BootImages;
import io.chainboot.e2e.harness.Chainboot;
import io.chainboot.e2e.harness.Cmd;
import io.chainboot.e2e.harness.Firmware;
import io.chainboot.e2e.harness.Inventory;
import io.chainboot.e2e.harness.Prerequisites;
import io.chainboot.e2e.harness.Qemu;
import io.chainboot.e2e.harness.TestNamespace;
import io.chainboot.events.BootStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The test that says Chainboot works: real QEMU machines network-boot through the five services
 * started by {@code ./chainboot up} (full DHCP) inside a private namespace, reach their own iSCSI
 * disk, and the inventory API (PostgreSQL, fed through Kafka) shows every stage with its time.
 * Variants share the same running Chainboot: a CHAP-protected disk, Kafka frozen during a boot,
 * two guests at once. {@code ./chainboot down} must leave nothing behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChainbootBootTest {
    TestNamespace ns;
    Chainboot chainboot;
    Inventory inventory;

    @BeforeAll
    void up() throws Exception {
        Prerequisites.require(false);
        Path dir = Files.createDirectories(Path.of("target", "e2e", "chainboot")).toAbsolutePath();
        Path state = dir.resolve("state");
        BootImages.deleteTree(state);
        ns = TestNamespace.create("cb", dir);
        try {
            chainboot = Chainboot.up(ns, state, "full");
            inventory = new Inventory(chainboot);
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    @AfterAll
    void teardown() {
        try {
            if (chainboot != null) {
                chainboot.close();
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    @Test
    @Order(1)
    @Timeout(240)
    void biosMachineBootsItsIscsiDiskThroughAllServices() {
        Guest g = prepare(Firmware.BIOS, "52:54:00:77:01:01", "e2e-bios", Firmware.BIOS.marker(), false);
        assertChain(g, boot(g));
    }

    @Test
    @Order(2)
    @Timeout(300)
    void uefiMachineBootsThroughOvmfPxeTftpAndAllServices() {
        Guest g = prepare(Firmware.UEFI, "52:54:00:77:01:02", "e2e-uefi", Firmware.UEFI.marker(), false);
        assertChain(g, boot(g));
    }

    @Test
    @Order(3)
    @Timeout(240)
    void chapProtectedDiskBoots() {
        Guest g = prepare(Firmware.BIOS, "52:54:00:77:01:03", "e2e-chap", "CHAP-DISK-BOOTED", true);
        Chainboot.Http script = chainboot.http("GET", chainboot.scriptUrl("/api/preview/" + g.mac()), null, false);
        assertThat(script.body()).as("the machine's script logs in with CHAP").contains("set username", "set password");
        assertChain(g, boot(g));
    }

    @Test
    @Order(4)
    @Timeout(300)
    void twoGuestsBootAtOnceEachReachingItsOwnDisk() throws Exception {
        Guest a = prepare(Firmware.BIOS, "52:54:00:77:01:04", "e2e-twin-a", "DISK-OF-TWIN-A", false);
        Guest b = prepare(Firmware.BIOS, "52:54:00:77:01:05", "e2e-twin-b", "DISK-OF-TWIN-B", false);
        CompletableFuture<Booted> fa = CompletableFuture.supplyAsync(() -> boot(a));
        CompletableFuture<Booted> fb = CompletableFuture.supplyAsync(() -> boot(b));
        Booted ba = fa.get();
        Booted bb = fb.get();
        assertChain(a, ba);
        assertChain(b, bb);
        assertThat(ba.boot().serial()).as("twin A must not see twin B's disk").doesNotContain(b.marker());
        assertThat(bb.boot().serial()).as("twin B must not see twin A's disk").doesNotContain(a.marker());
    }

    /**
     * Kafka frozen (SIGSTOP) before power-on and resumed (SIGCONT) after the marker: the boot path
     * never waits on Kafka, and once it is back the buffered events arrive with their real times.
     */
    @Test
    @Order(5)
    @Timeout(300)
    void bootsWhileKafkaIsDownAndNoEventIsLost() {
        Guest g = prepare(Firmware.BIOS, "52:54:00:77:01:06", "e2e-nokafka", "BOOTED-WITHOUT-KAFKA", false);
        long kafka = chainboot.pidOf("kafka");
        Cmd.check("kill", "-STOP", String.valueOf(kafka));
        Booted booted;
        Instant resumed;
        try {
            booted = boot(g);
        } finally {
            Cmd.run("kill", "-CONT", String.valueOf(kafka));
            resumed = Instant.now();
        }
        assertChain(g, booted);
        List<Inventory.StageAt> stages = inventory.latestStages(g.mac());
        assertThat(stages).as("stages must carry the time they happened (before Kafka came back at %s), not arrival time: %s",
                resumed, BootChain.describe(stages)).allMatch(s -> s.at().isBefore(resumed));
    }

    /** The acceptance rule for failures: the message names the stage where the chain stopped. */
    @Test
    @Order(6)
    @Timeout(180)
    void aBrokenChainIsReportedAtTheStageWhereItStopped() {
        // registered with a disk image that does not exist: DHCP and the script work, the SAN attach cannot
        inventory.registerSanboot("52:54:00:77:01:07", "e2e-nodisk", "RAW", "e2e-nodisk-missing.img", false);
        Disks.awaitScript(chainboot, "52:54:00:77:01:07", Duration.ofSeconds(30));
        Guest g = new Guest(Firmware.BIOS, "52:54:00:77:01:07", "e2e-nodisk", "NEVER-PRINTED");
        String tap;
        synchronized (this) {
            tap = ns.addTap();
        }
        Instant poweredOn = Instant.now();
        Qemu.Boot boot = new Qemu(ns, g.firmware(), g.mac(), tap, g.hostname()).powerOn()
                .awaitMarker(g.marker(), Duration.ofSeconds(40));
        Optional<String> problem = diagnose(g, new Booted(boot, poweredOn), Duration.ofSeconds(5));
        assertThat(problem).as("a boot without its disk must be reported as failed").isPresent();
        assertThat(problem.get()).as(problem.get())
                .contains("the boot chain stopped at SAN_ATTACHED (served by iscsi-service)")
                .contains("IPXE_DHCP @", "SCRIPT @");
    }

    @Test
    @Order(99)
    @Timeout(180)
    void downLeavesNothingBehind() {
        String out = chainboot.down();
        List<String> left = ns.awaitForeignPidsGone(Duration.ofSeconds(30));
        assertThat(left).as("processes left in the namespace after ./chainboot down:%n%s", out).isEmpty();
        String listening = ns.run(Duration.ofSeconds(10), "ss", "-Hlntu").output().strip();
        assertThat(listening).as("ports still listening after ./chainboot down").isEmpty();
    }

    /** A guest to boot: its firmware, MAC, hostname and the marker its own disk prints. */
    record Guest(Firmware firmware, String mac, String hostname, String marker) {
    }

    /** A finished boot with the time the guest was powered on. */
    record Booted(Qemu.Boot boot, Instant poweredOn) {
    }

    Guest prepare(Firmware firmware, String mac, String hostname, String marker, boolean chap) {
        String image = hostname + ".img";
        BootImages.disk(firmware, Disks.raw(chainboot.state(), image), marker);
        inventory.registerSanboot(mac, hostname, "RAW", image, chap);
        Disks.awaitScript(chainboot, mac, Duration.ofSeconds(30));
        return new Guest(firmware, mac, hostname, marker);
    }

    Booted boot(Guest g) {
        String tap;
        synchronized (this) {
            tap = ns.addTap();
        }
        Instant poweredOn = Instant.now();
        Qemu.Boot boot = new Qemu(ns, g.firmware(), g.mac(), tap, g.hostname()).powerOn()
                .awaitMarker(g.marker(), Duration.ofSeconds(g.firmware() == Firmware.BIOS ? 90 : 150));
        System.out.printf("chainboot %s %s: power-on -> marker %.2f s (%s)%n", g.firmware(), g.hostname(),
                boot.seconds(), boot.outcome());
        return new Booted(boot, poweredOn);
    }

    /** The marker on COM1 and every expected stage in the inventory, in chain order, within the boot. */
    void assertChain(Guest g, Booted booted) {
        diagnose(g, booted, Duration.ofSeconds(60)).ifPresent(problem -> fail(problem));
    }

    /** Why the boot did not go through the whole chain (naming the stage where it stopped), or empty. */
    Optional<String> diagnose(Guest g, Booted booted, Duration settle) {
        Qemu.Boot boot = booted.boot();
        List<Inventory.StageAt> stages = inventory.awaitStage(g.mac(), BootStage.SAN_ATTACHED,
                boot.markerSeen() ? settle : Duration.ofSeconds(10));
        Optional<BootStage> missing = BootChain.firstMissing(g.firmware(), stages);
        if (!boot.markerSeen() || missing.isPresent()) {
            String where = missing.map(m -> BootChain.stoppedAt(m, stages))
                    .orElse("the inventory shows every stage (" + BootChain.describe(stages)
                            + ") but the guest did not print its disk's marker");
            String service = missing.map(BootChain.SERVED_BY::get).orElse("iscsi-service");
            return Optional.of(String.format("%s boot of %s (%s) failed: %s; QEMU: %s%n--- timeline JSON: %s%n"
                            + "--- serial console:%n%s%n%s", g.firmware(), g.hostname(), g.mac(), where, boot.outcome(),
                    inventory.timelineJson(g.mac()), boot.serialTail(), chainboot.logTail(service + ".log", 3000)));
        }
        return BootChain.timingProblem(stages, booted.poweredOn(), Instant.now())
                .map(t -> g.firmware() + " timeline of " + g.mac() + ": " + t + " (" + BootChain.describe(stages) + ")");
    }
}
