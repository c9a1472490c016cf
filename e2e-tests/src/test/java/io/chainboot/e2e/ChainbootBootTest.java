package io.chainboot.e2e;

import io.chainboot.e2e.harness.BootChain;
import io.chainboot.e2e.harness.BootImages;
import io.chainboot.e2e.harness.Chainboot;
import io.chainboot.e2e.harness.Cmd;
import io.chainboot.e2e.harness.Firmware;
import io.chainboot.e2e.harness.Inventory;
import io.chainboot.e2e.harness.Prerequisites;
import io.chainboot.e2e.harness.Qemu;
import io.chainboot.e2e.harness.Stack;
import io.chainboot.e2e.harness.TestNamespace;
import io.chainboot.events.BootStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The test that says Chainboot works: real QEMU machines network-boot through the five services
 * started by {@code ./chainboot up} (full DHCP) inside a private namespace, reach their own iSCSI
 * disk, and the inventory API (PostgreSQL, fed through Kafka) shows every stage with its time.
 * Variants share the same running Chainboot: a CHAP-protected disk, two guests at once, Kafka frozen
 * during a boot, Kafka stopped during a boot and started again, an overlay disk on a golden image
 * that keeps the guest's writes until it is reset. {@code ./chainboot down} must leave nothing behind.
 * The declared order only saves start-ups (down last); any order passes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChainbootBootTest {
    static final int GOLDEN_COUNTER = 41;
    static final String COUNTER_DONE = "OVERLAY-BOOT-DONE";
    static final Pattern MARK = Pattern.compile("\r\nMARK (\\d+)\r\n");
    static final Pattern SAVED = Pattern.compile("SAVED (\\d+)\r\n");

    Path dir;
    Stack stack;
    Throwable upFailed;
    TestNamespace ns;
    Chainboot chainboot;
    Inventory inventory;

    @BeforeAll
    void prerequisites() throws Exception {
        Prerequisites.require(false);
        dir = Files.createDirectories(Path.of("target", "e2e", "chainboot")).toAbsolutePath();
    }

    /**
     * The running Chainboot every test uses: started before the first test, and again (fresh state, new
     * namespace) before any test that follows {@link #downLeavesNothingBehind()}, so the tests pass in
     * any order. In the declared order down comes last and Chainboot starts once.
     */
    @BeforeEach
    void up() throws Exception {
        if (stack != null) {
            return;
        }
        if (upFailed != null) {
            throw new AssertionError("./chainboot up failed before this test", upFailed); // not again for every test
        }
        Path state = dir.resolve("state");
        BootImages.deleteTree(state);
        try {
            stack = Stack.up(TestNamespace.create("cb", dir), state, "full");
        } catch (RuntimeException | Error e) {
            upFailed = e;
            throw e;
        }
        ns = stack.ns;
        chainboot = stack.chainboot;
        inventory = stack.inventory;
    }

    @AfterAll
    void teardown() {
        if (stack != null) {
            stack.close();
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
     * Kafka frozen (SIGSTOP) before power-on and resumed (SIGCONT) after the marker — a hung broker:
     * connections open but nothing answers, so a client that waits for metadata would block. The boot
     * path never waits on Kafka, and once it is back the buffered events arrive with their real times.
     */
    @Test
    @Order(5)
    @Timeout(300)
    void bootsWhileKafkaIsFrozenAndNoEventIsLost() {
        Guest g = prepare(Firmware.BIOS, "52:54:00:77:01:06", "e2e-frozenkafka", "BOOTED-WITH-KAFKA-FROZEN", false);
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
        assertStagesBefore(g, resumed, "Kafka was resumed");
    }

    /**
     * Kafka really stopped (SIGTERM of the broker the launcher started, by its PID in
     * run/chainboot.state; its port refuses connections) before power-on, and started again on the
     * same port and data directory with {@code ./chainboot restart kafka} after the marker: the
     * machine boots anyway, and once Kafka is back the inventory shows every stage with the time it
     * happened — before the restart — so no event was lost.
     */
    @Test
    @Order(6)
    @Timeout(420)
    void bootsWhileKafkaIsStoppedAndNoEventIsLostAfterItIsStartedAgain() {
        Guest g = prepare(Firmware.BIOS, "52:54:00:77:01:08", "e2e-nokafka", "BOOTED-WITHOUT-KAFKA", false);
        long kafka = chainboot.pidOf("kafka");
        Cmd.check("kill", "-TERM", String.valueOf(kafka));
        boolean restartedByTest = false;
        try {
            Optional<ProcessHandle> broker = ProcessHandle.of(kafka);
            broker.ifPresent(h -> {
                try {
                    h.onExit().get(90, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    fail("Kafka (pid " + kafka + ") did not exit within 90 s of SIGTERM: " + e);
                }
            });
            assertThat(ns.run(Duration.ofSeconds(10), "ss", "-Hltn", "sport = :9092").output().strip())
                    .as("nothing may listen on Kafka's port while it is stopped").isEmpty();
            Booted booted = boot(g);
            if (!booted.boot().markerSeen()) {
                // the inventory cannot know yet (its events wait for Kafka): ask the guest's console
                fail(consoleFailure(g, g.hostname() + " while Kafka was stopped", booted));
            }
            assertThat(inventory.latestStages(g.mac()).stream().noneMatch(s -> !s.at().isBefore(booted.poweredOn())))
                    .as("no stage of this boot can reach the inventory while Kafka is stopped").isTrue();

            Instant restarted = Instant.now();
            Cmd.Result r = chainboot.restart("kafka");
            restartedByTest = true;
            assertThat(r.ok()).as("./chainboot restart kafka failed (exit %d):%n%s%n%s", r.exit(), r.output(),
                    chainboot.logTail("launcher.log", 3000)).isTrue();
            System.out.println(r.output().strip());
            long again = chainboot.pidOf("kafka");
            assertThat(again).as("run/chainboot.state names the new broker").isNotEqualTo(kafka);
            assertThat(ProcessHandle.of(again).map(ProcessHandle::isAlive)).contains(true);
            assertChain(g, booted);
            assertStagesBefore(g, restarted, "Kafka was started again");
            Cmd.Result status = chainboot.status();
            assertThat(status.ok()).as("./chainboot status after the restart:%n%s", status.output()).isTrue();
        } finally {
            if (!restartedByTest) {
                chainboot.restart("kafka"); // the following tests need Kafka
            }
        }
    }

    /**
     * A machine whose disk is an OVERLAY on a golden image (imported through iscsi-service's REST
     * API). Its boot sector (counter.asm) reads a counter from LBA 1 with INT 13h AH=42h through
     * iPXE's SAN hook, prints {@code MARK <n>} and writes n+1 back with AH=43h. Boot 1 shows the
     * golden value, boot 2 the incremented one (the write persisted in the overlay), and after
     * {@code POST /api/disks/{mac}/reset} boot 3 the golden value again; the golden image file never
     * changes (SHA-256).
     */
    @Test
    @Order(7)
    @Timeout(480)
    void overlayDiskOnAGoldenImageKeepsItsWritesUntilReset() throws Exception {
        String mac = "52:54:00:77:01:09";
        String image = "e2e-golden-counter";
        // imports read only from the import directory (chainboot.iscsi.import-dir = <state>/iscsi/import)
        Path golden = BootImages.counterDisk(Files.createDirectories(chainboot.state().resolve("iscsi/import")).resolve(image + ".img"),
                GOLDEN_COUNTER, 8L * 1024 * 1024);
        String sha = BootImages.sha256(golden);
        // through the entry point (inventory-service :8080), with the admin token; it forwards to iscsi-service
        Chainboot.Http imported = chainboot.http("POST", chainboot.inventoryUrl("/api/images/" + image + "?path=" + image + ".img"),
                null, true);
        assertThat(imported.status()).as("import of the golden image: %s", imported.body()).isEqualTo(201);
        assertThat(imported.body()).as("the imported image's checksum").contains(sha);
        inventory.registerSanboot(mac, "e2e-overlay", "OVERLAY", image, false);
        Disks.awaitScript(chainboot, mac, Duration.ofSeconds(30));
        Guest g = new Guest(Firmware.BIOS, mac, "e2e-overlay", COUNTER_DONE);

        assertThat(counterBoot(g, "e2e-overlay-1")).as("boot 1 reads the golden counter").isEqualTo(GOLDEN_COUNTER);
        assertThat(counterBoot(g, "e2e-overlay-2")).as("boot 2 reads what boot 1 wrote (kept in the overlay)")
                .isEqualTo(GOLDEN_COUNTER + 1);

        Chainboot.Http disk = chainboot.http("GET", chainboot.inventoryUrl("/api/disks/" + mac), null, false);
        assertThat(disk.status()).as(disk.body()).isEqualTo(200);
        assertThat(disk.body()).as("the machine's disk").contains("\"kind\":\"OVERLAY\"", "\"image\":\"" + image + "\"");
        Chainboot.Http refused = chainboot.http("POST", chainboot.iscsiUrl("/api/disks/" + mac + "/reset"), null, true);
        assertThat(refused.status()).as("iscsi-service's own port refuses a write without the cluster secret").isEqualTo(401);
        Chainboot.Http reset = chainboot.http("POST", chainboot.inventoryUrl("/api/disks/" + mac + "/reset"), null, true);
        assertThat(reset.status()).as("reset of the overlay: %s", reset.body()).isEqualTo(204);

        assertThat(counterBoot(g, "e2e-overlay-3")).as("boot 3, after the reset, reads the golden counter again")
                .isEqualTo(GOLDEN_COUNTER);
        Path served = chainboot.state().resolve("iscsi").resolve("images").resolve(image + ".img");
        assertThat(BootImages.sha256(served)).as("the golden image iscsi-service serves never changes").isEqualTo(sha);
        assertThat(BootImages.sha256(golden)).as("the imported file is untouched").isEqualTo(sha);
        Chainboot.Http images = chainboot.http("GET", chainboot.inventoryUrl("/api/images"), null, false);
        assertThat(images.body()).as("GET /api/images lists the image with its checksum and its user")
                .contains(sha).contains(mac.replace(':', '-'));
    }

    /** The acceptance rule for failures: the message names the stage where the chain stopped. */
    @Test
    @Order(8)
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
        try {
            String out = chainboot.down();
            List<String> left = ns.awaitForeignPidsGone(Duration.ofSeconds(30));
            assertThat(left).as("processes left in the namespace after ./chainboot down:%n%s", out).isEmpty();
            String listening = ns.run(Duration.ofSeconds(10), "ss", "-Hlntu").output().strip();
            assertThat(listening).as("ports still listening after ./chainboot down").isEmpty();
        } finally {
            stack.close(); // its namespace too: a test after this one gets a new stack
            stack = null;
        }
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
        Disks.awaitTarget(chainboot, mac, Duration.ofSeconds(30));
        return new Guest(firmware, mac, hostname, marker);
    }

    /** Every stage of the guest's latest boot happened before {@code when} (event time, not arrival). */
    void assertStagesBefore(Guest g, Instant when, String what) {
        List<Inventory.StageAt> stages = inventory.latestStages(g.mac());
        assertThat(stages).as("stages must carry the time they happened (before %s at %s), not arrival time: %s",
                what, when, BootChain.describe(stages)).allMatch(s -> s.at().isBefore(when));
    }

    /**
     * Boots a counter disk and returns the counter it read (checking it wrote n+1). The first boot of
     * the machine is checked through the whole chain in the inventory. Later boots are checked on the
     * guest's console only: the e1000's iPXE ROM sends no PXE DHCP, so inventory-service folds a
     * reboot into the finished attempt (its second iSCSI login reads as OS_RUNNING).
     */
    /** One boot of the counter disk: the whole chain in the inventory (each reboot is a new attempt), then MARK n. */
    int counterBoot(Guest g, String label) {
        Booted b = boot(g, label);
        assertChain(g, b);
        Matcher m = MARK.matcher(b.boot().serial());
        Matcher saved = SAVED.matcher(b.boot().serial());
        assertThat(m.find() && saved.find()).as("%s: the boot sector must print MARK <n> and SAVED <n+1>; serial:%n%s",
                label, b.boot().serialTail()).isTrue();
        int n = Integer.parseInt(m.group(1));
        assertThat(Integer.parseInt(saved.group(1))).as("%s wrote n+1", label).isEqualTo(n + 1);
        return n;
    }

    /** A failed BIOS boot the inventory cannot judge, diagnosed from the guest's iPXE console. */
    String consoleFailure(Guest g, String label, Booted b) {
        return String.format("%s boot of %s (%s) failed: %s; QEMU: %s%n--- serial console:%n%s%n%s", g.firmware(), label,
                g.mac(), BootChain.stoppedAtOnConsole(b.boot().serial())
                        .orElse("the boot chain got past SAN_ATTACHED (iPXE booted from the disk) but the boot sector did not finish"), b.boot().outcome(),
                b.boot().serialTail(), chainboot.logTail("iscsi-service.log", 3000));
    }

    Booted boot(Guest g) {
        return boot(g, g.hostname());
    }

    Booted boot(Guest g, String label) {
        String tap;
        synchronized (this) {
            tap = ns.addTap();
        }
        Instant poweredOn = Instant.now();
        Qemu.Boot boot = new Qemu(ns, g.firmware(), g.mac(), tap, label).powerOn()
                .awaitMarker(g.marker(), Duration.ofSeconds(g.firmware() == Firmware.BIOS ? 90 : 150));
        System.out.printf("chainboot %s %s: power-on -> marker %.2f s (%s)%n", g.firmware(), label,
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
        // the latest boot attempt that began with this power-on (a machine may boot more than once)
        Instant from = booted.poweredOn().minusSeconds(2);
        List<Inventory.StageAt> stages = inventory.awaitStage(g.mac(), BootStage.SAN_ATTACHED,
                        boot.markerSeen() ? settle : Duration.ofSeconds(10), from)
                .stream().filter(s -> !s.at().isBefore(from)).toList();
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
