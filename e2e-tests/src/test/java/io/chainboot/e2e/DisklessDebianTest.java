package io.chainboot.e2e;

import io.chainboot.e2e.harness.BootChain;
import io.chainboot.e2e.harness.BootImages;
import io.chainboot.e2e.harness.Chainboot;
import io.chainboot.e2e.harness.Cmd;
import io.chainboot.e2e.harness.Firmware;
import io.chainboot.e2e.harness.Inventory;
import io.chainboot.e2e.harness.OsMachine;
import io.chainboot.e2e.harness.Prerequisites;
import io.chainboot.e2e.harness.TestNamespace;
import io.chainboot.events.BootStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
 * A real operating system boots diskless through Chainboot: the project's Debian 12 golden image
 * ({@code images/debian-12/build.sh}, cached by content) imported through iscsi-service's API, two
 * machines each on its own copy-on-write overlay of it, profile {@code sanboot}, booting at the same
 * time under TCG: iPXE sanboot → GRUB on the iSCSI disk → kernel → initramfs {@code iscsistart -b}
 * (a second login, from the iBFT) → root on the iSCSI disk → iscsid takes the session over →
 * systemd prints {@code CHAINBOOT-OS-UP} on COM1. The inventory shows IPXE_DHCP → SCRIPT →
 * SAN_ATTACHED → OS_RUNNING for every boot. Then: each machine writes a file and reboots itself
 * ({@code systemctl reboot}); in boot 2 it finds its own file and not the other's; machine B loses
 * power in the middle of a stream of writes and boots again to a filesystem that mounts and takes
 * writes (journal replay on a consistent overlay); machine A's overlay is reset through the API and
 * boot 3 sees the golden image again; the golden image's SHA-256 never changes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DisklessDebianTest {
    static final String IMAGE = "debian-12";
    static final Duration TO_MARKER = Duration.ofSeconds(600);
    static final Duration TO_EXIT = Duration.ofSeconds(180);
    static final Pattern FILES = Pattern.compile("chainboot-run: files:([^\n]*)\n");
    static final Pattern ISCSISTART = Pattern.compile("iscsistart: Logging into ");
    static final Pattern EXT4 = Pattern.compile("chainboot-run: ext4:([^\n]*)\n");
    static final String HTTP_PROFILE = "debian-12-http";
    static final String INSTALLER_PROFILE = "debian-installer";
    /** Package debian-installer-12-netboot-amd64, text frontend. */
    static final String INSTALLER_DIR = "/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64";
    static final String INSTALLER_CMDLINE = "console=ttyS0,115200 priority=low";
    /** Below about 1 GiB the installer starts with a "Low memory mode" notice instead of its first question. */
    static final int INSTALLER_MIB = 1024;
    /** With priority=low the installer's first screen is its main menu (measured: 2–4 min under TCG at load 25–50). */
    static final Pattern INSTALLER_FIRST_SCREEN = Pattern.compile(
            "Debian installer main menu[\\s\\S]*Choose the next step in the install process");
    static final List<String[]> INSTALLER_MILESTONES = List.of(
            new String[]{"iPXE DHCP", "Configuring (net0"},
            new String[]{"iPXE script", "[script]"},
            new String[]{"kernel over HTTP", "/assets/debian-installer-12/linux"},
            new String[]{"initrd over HTTP", "/assets/debian-installer-12/initrd.gz"},
            new String[]{"kernel", "Linux version"},
            new String[]{"installer's first screen", "Choose the next step in the install process"});
    /** inventory-service's default chainboot.inventory.stall.script. */
    static final Duration SCRIPT_STALL = Duration.ofSeconds(120);

    Path dir;
    TestNamespace ns;
    Chainboot chainboot;
    Inventory inventory;
    DebianImage.Built golden;
    boolean imported;

    /** One of the two machines: MAC, SMBIOS UUID, the IQN its sanboot script sets. */
    record Machine(String mac, String uuid, String name) {
        String fileName() {
            return "e2e-" + mac.replace(":", "");
        }
    }

    /** One boot's outcome: the marker's fields and the console. */
    record Booted(OsMachine qemu, Instant poweredOn, double toMarker, Matcher marker) {
        String host() {
            return marker.group(1);
        }

        String machineId() {
            return marker.group(2);
        }

        int bootCount() {
            return Integer.parseInt(marker.group(3));
        }

        String initiator() {
            return marker.group(5);
        }

        String files() {
            Matcher m = FILES.matcher(qemu.console());
            return m.find() ? m.group(1).strip() : "(no files: line)";
        }
    }

    @BeforeAll
    void up() throws Exception {
        Prerequisites.require(false);
        dir = Files.createDirectories(Path.of("target", "e2e", "diskless-debian")).toAbsolutePath();
        golden = DebianImage.get(dir.resolve("image-build.log"));
        System.out.printf("diskless-debian: golden image %s (%s, %d MiB) %s in %.1f s%n", golden.disk(),
                golden.sha256().substring(0, 16), Files.size(golden.disk()) >> 20,
                golden.cached() ? "taken from the cache" : "built", golden.seconds());
        Path state = dir.resolve("state");
        BootImages.deleteTree(state);
        ns = TestNamespace.create("os", dir);
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

    /** Imports the golden image through the entry point, once for the tests of this class. */
    synchronized void importGolden() throws Exception {
        if (imported) {
            return;
        }
        // a 1.5 GiB import (copied sparse, checksummed) takes longer than the harness's 10-s curl
        long t0 = System.nanoTime();
        Cmd.Result r = ns.run(Duration.ofMinutes(10), "curl", "-sS", "-m", "580", "-X", "POST",
                "-w", "\nHTTP %{http_code}", "-H", "Authorization: Bearer " + chainboot.apiToken(),
                chainboot.inventoryUrl("/api/images/" + IMAGE + "?path=" + DebianImage.stageForImport(chainboot.state(), golden.disk(), IMAGE + ".img")));
        assertThat(r.output()).as("import of the golden image through the entry point (inventory forwards to iscsi-service)")
                .contains("HTTP 201").contains(golden.sha256());
        System.out.printf("diskless-debian: golden image imported in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        imported = true;
    }

    @Test
    @Timeout(2400)
    void debianBootsFromItsOwnOverlayKeepsItsWritesSurvivesAPowerCutAndResetsToGolden() throws Exception {
        importGolden();

        Machine a = register("52:54:00:77:02:0a", "e2e-debian-a", "8c2f8a36-0b8e-4d2c-9f11-00000000020a");
        Machine b = register("52:54:00:77:02:0b", "e2e-debian-b", "8c2f8a36-0b8e-4d2c-9f11-00000000020b");

        // boot 1, both at once: golden content, own identity; write a file and reboot by itself
        CompletableFuture<Booted> a1 = async(() -> boot(a, "a-boot1", write(a) + "systemctl --no-block reboot\n"));
        CompletableFuture<Booted> b1 = async(() -> boot(b, "b-boot1", write(b) + "systemctl --no-block reboot\n"));
        Booted ra1 = a1.join();
        Booted rb1 = b1.join();
        for (Booted r : List.of(ra1, rb1)) {
            assertThat(r.bootCount()).as("%s: first boot of a fresh overlay", r.qemu().label()).isEqualTo(1);
            assertThat(r.files()).as("%s: the golden image has no test files", r.qemu().label()).isEmpty();
            awaitWrote(r, "e2e-");
        }
        assertThat(ra1.host()).as("hostnames are per machine: the one DHCP gave (the inventory's)")
                .isEqualTo(a.name());
        assertThat(rb1.host()).isEqualTo(b.name());
        assertThat(ra1.machineId()).as("machine-ids are per machine").matches("[0-9a-f]{32}")
                .isNotEqualTo(rb1.machineId());
        assertThat(ra1.initiator()).as("the iSCSI initiator name comes from the iBFT (the sanboot script's)")
                .isEqualTo(initiatorOf(a));
        assertThat(rb1.initiator()).isEqualTo(initiatorOf(b));
        awaitRebooted(ra1);
        awaitRebooted(rb1);

        // boot 2: each finds its own file, not the other's; A powers off cleanly, B loses power mid-write
        CompletableFuture<Booted> a2 = async(() -> boot(a, "a-boot2", "systemctl --no-block poweroff\n"));
        CompletableFuture<Booted> b2 = async(() -> boot(b, "b-boot2", """
                echo spilling
                i=0
                while :; do head -c 1048576 /dev/urandom > /root/spill-$i; sync; echo "spilled $i"; i=$((i+1)); done
                """));
        Booted ra2 = a2.join();
        Booted rb2 = b2.join();
        assertThat(ra2.files()).as("a-boot2 finds its own file (kept in its overlay) and not B's")
                .isEqualTo(a.fileName());
        assertThat(rb2.files()).as("b-boot2 finds its own file and not A's").isEqualTo(b.fileName());
        assertThat(ra2.bootCount()).isEqualTo(2);
        assertThat(ra2.machineId()).as("the machine-id stays across reboots").isEqualTo(ra1.machineId());
        Optional<Matcher> spilled = rb2.qemu().await(Pattern.compile("chainboot-run: spilled 3\n"), TO_MARKER);
        assertThat(spilled).as("b-boot2 must be writing before the power cut; serial:%n%s",
                rb2.qemu().consoleTail(2500)).isPresent();
        rb2.qemu().powerCut();
        System.out.printf("diskless-debian b-boot2: power cut %.1f s after power-on, in the middle of writes%n",
                rb2.qemu().seconds());
        awaitRebooted(ra2);

        // boot 3: A after a reset through the API sees the golden image; B boots after its power cut
        Chainboot.Http reset = chainboot.http("POST", chainboot.inventoryUrl("/api/disks/" + a.mac() + "/reset"), null, true);
        assertThat(reset.status()).as("reset of A's overlay: %s", reset.body()).isEqualTo(204);
        CompletableFuture<Booted> a3 = async(() -> boot(a, "a-boot3", "systemctl --no-block poweroff\n"));
        CompletableFuture<Booted> b3 = async(() -> boot(b, "b-boot3", write(b).replace(b.fileName(), "e2e-after-cut")
                + "systemctl --no-block poweroff\n"));
        Booted ra3 = a3.join();
        Booted rb3 = b3.join();
        assertThat(ra3.files()).as("a-boot3, after the reset, sees the golden image (no files)").isEmpty();
        assertThat(ra3.bootCount()).as("a-boot3 is the first boot of the reset overlay").isEqualTo(1);
        assertThat(rb3.files()).as("b-boot3 after the power cut: root mounted, B's file still there")
                .isEqualTo(b.fileName());
        awaitWrote(rb3, "e2e-after-cut");
        Matcher ext4 = EXT4.matcher(rb3.qemu().console());
        System.out.printf("diskless-debian b-boot3 after the power cut, kernel said: %s%n",
                ext4.find() ? ext4.group(1) : "(nothing)");
        awaitRebooted(ra3);
        awaitRebooted(rb3);

        Path served = chainboot.state().resolve("iscsi").resolve("images").resolve(IMAGE + ".img");
        assertThat(BootImages.sha256(served)).as("the golden image iscsi-service serves never changes")
                .isEqualTo(golden.sha256());
        System.out.printf("diskless-debian: power-on -> OS marker: boot 1 %.1f / %.1f s, boot 2 %.1f / %.1f s,"
                        + " after reset %.1f s, after power cut %.1f s (A / B, two machines at once, TCG), load %s%n",
                ra1.toMarker(), rb1.toMarker(), ra2.toMarker(), rb2.toMarker(), ra3.toMarker(), rb3.toMarker(),
                Cmd.run("cat", "/proc/loadavg").output().strip());
    }

    /**
     * The {@code linux} profile with {@code sanhook}: the golden image's own kernel and initrd, put into
     * script-service's assets by {@code images/debian-12/boot-files.sh} as a user does, are fetched over
     * HTTP by iPXE after it hooked the machine's iSCSI disk (its own overlay of the same image); no GRUB.
     * The initramfs logs in from the iBFT, the root is the machine's disk, systemd prints the marker; the
     * inventory shows IPXE_DHCP → SCRIPT → SAN_ATTACHED → OS_RUNNING, as for sanboot.
     */
    @Test
    @Timeout(1500)
    void theLinuxProfileBootsTheImagesKernelOverHttpWithItsRootOnTheMachinesOwnDisk() throws Exception {
        importGolden();
        DebianImage.installHttpKernelProfile(chainboot.state(), HTTP_PROFILE);
        Disks.awaitProfile(chainboot, HTTP_PROFILE, Duration.ofSeconds(30));
        Machine c = new Machine("52:54:00:77:02:0c", "8c2f8a36-0b8e-4d2c-9f11-00000000020c", "e2e-debian-c");
        inventory.register(c.mac(), c.name(), HTTP_PROFILE, "OVERLAY", IMAGE);
        Disks.awaitScript(chainboot, c.mac(), "/assets/" + IMAGE + "/vmlinuz", Duration.ofSeconds(60));
        String script = chainboot.http("GET", chainboot.scriptUrl("/api/preview/" + c.mac()), null, false).body();
        assertThat(script).as("the linux profile's script hooks the machine's disk before the kernel")
                .containsSubsequence("set initiator-iqn ", "sanhook iscsi:", "kernel http://", "initrd http://", "boot ||");

        Booted r = boot(c, "c-http-kernel", write(c) + "systemctl --no-block poweroff\n", OsMachine.HTTP_KERNEL_MILESTONES);
        assertThat(r.qemu().console()).as("kernel and initrd came over HTTP, not from GRUB on the disk")
                .contains("/assets/" + IMAGE + "/vmlinuz").contains("/assets/" + IMAGE + "/initrd.img")
                .doesNotContain("grub: loading linux");
        assertThat(r.bootCount()).as("first boot of a fresh overlay").isEqualTo(1);
        assertThat(r.files()).as("the golden image has no test files").isEmpty();
        assertThat(r.host()).isEqualTo(c.name());
        assertThat(r.initiator()).as("the iSCSI initiator name comes from the iBFT that sanhook left")
                .isEqualTo(initiatorOf(c));
        awaitWrote(r, c.fileName());
        assertThat(inventory.timelineJson(c.mac())).as("the attempt names the profile").contains("\"profile\":\"" + HTTP_PROFILE + "\"");
        awaitRebooted(r);
        System.out.printf("diskless-debian: linux profile (kernel over HTTP, sanhook) power-on -> OS marker %.1f s"
                + " (one machine), load %s%n", r.toMarker(), Cmd.run("cat", "/proc/loadavg").output().strip());
    }

    /**
     * The Debian installer (package {@code debian-installer-12-netboot-amd64}) through the whole chain —
     * DHCP, iPXE, script, kernel and initrd over HTTP from script-service's assets — reaches its first
     * screen on the serial console. The inventory shows IPXE_DHCP → SCRIPT and nothing after: the
     * script attaches no SAN, so the attempt stays at SCRIPT (handed off) and is not declared STALLED
     * once SCRIPT's stall threshold (120 s) has passed while the installer waits for its user.
     */
    @Test
    @Timeout(1200)
    void theDebianInstallerReachesItsFirstScreenAndIsNotCalledStalled() throws Exception {
        Path di = Path.of(INSTALLER_DIR);
        if (!Files.isRegularFile(di.resolve("linux")) || !Files.isRegularFile(di.resolve("initrd.gz"))) {
            throw new IllegalStateException("no Debian installer in " + di + " — apt-get install debian-installer-12-netboot-amd64");
        }
        Path assets = Files.createDirectories(chainboot.state().resolve("assets").resolve("debian-installer-12"));
        Files.copy(di.resolve("linux"), assets.resolve("linux"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(di.resolve("initrd.gz"), assets.resolve("initrd.gz"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        writeProfile(INSTALLER_PROFILE, """
                name: %s
                kind: linux
                description: Debian 12 installer on the serial console
                params:
                  kernel: debian-installer-12/linux
                  initrd: debian-installer-12/initrd.gz
                  cmdline: %s
                """.formatted(INSTALLER_PROFILE, INSTALLER_CMDLINE));
        Disks.awaitProfile(chainboot, INSTALLER_PROFILE, Duration.ofSeconds(30));
        String mac = "52:54:00:77:02:0d";
        inventory.register(mac, "e2e-installer", INSTALLER_PROFILE, null, null);
        Disks.awaitScript(chainboot, mac, "/assets/debian-installer-12/initrd.gz", Duration.ofSeconds(60));

        String tap;
        synchronized (this) {
            tap = ns.addTap();
        }
        Instant poweredOn = Instant.now();
        OsMachine q = new OsMachine(ns, mac, "8c2f8a36-0b8e-4d2c-9f11-00000000020d", "installer")
                .memory(INSTALLER_MIB).milestones(INSTALLER_MILESTONES).powerOn(tap, "");
        try {
            Optional<Matcher> screen = q.await(INSTALLER_FIRST_SCREEN, TO_MARKER);
            if (screen.isEmpty()) {
                fail(String.format("the Debian installer never showed its first screen within %d s: %s; %s%n"
                                + "--- serial console (tail):%n%s%n%s", TO_MARKER.toSeconds(), q.consoleStage(),
                        BootChain.describe(inventory.latestStages(mac)), q.consoleTail(4000),
                        chainboot.logTail("script-service.log", 3000)));
            }
            double toScreen = q.seconds();
            System.out.printf("diskless-debian installer: power-on -> first screen %.1f s, load %s%n", toScreen,
                    Cmd.run("cat", "/proc/loadavg").output().strip());
            List<Inventory.StageAt> stages = inventory.awaitStage(mac, BootStage.SCRIPT, Duration.ofSeconds(60),
                    poweredOn.minusSeconds(2)).stream().filter(s -> !s.at().isBefore(poweredOn.minusSeconds(2))).toList();
            assertThat(stages).as("the installer's boot in the inventory: %s", BootChain.describe(stages))
                    .extracting(Inventory.StageAt::stage).containsExactly(BootStage.IPXE_DHCP, BootStage.SCRIPT);
            Instant scriptAt = stages.get(1).at();
            // let SCRIPT's stall threshold pass (chainboot.inventory.stall.script, 120 s) while the installer waits
            Instant after = scriptAt.plus(SCRIPT_STALL).plusSeconds(10);
            while (Instant.now().isBefore(after)) {
                TestNamespace.sleep(1000);
            }
            assertThat(inventory.latestStage(mac)).as("the installer waits for its user: not a stalled boot; %s",
                    inventory.timelineJson(mac)).contains(BootStage.SCRIPT);
            assertThat(q.alive()).as("the installer still runs").isTrue();
            assertThat(q.console()).as("nothing after the first screen (it waits for an answer)")
                    .doesNotContain("Kernel panic");
        } finally {
            q.powerOff();
        }
    }

    void writeProfile(String name, String yaml) throws java.io.IOException {
        Path dir = Files.createDirectories(chainboot.state().resolve("profiles"));
        Files.writeString(dir.resolve(name + ".yaml"), yaml);
    }

    /** The guest script's write reached the disk ({@code sync} returned). */
    void awaitWrote(Booted r, String file) {
        Optional<Matcher> wrote = r.qemu().await(Pattern.compile("chainboot-run: wrote " + Pattern.quote(file)),
                TO_MARKER.plusSeconds(300));
        if (wrote.isEmpty()) {
            r.qemu().powerOff();
            fail(String.format("%s (%s): the booted OS never finished writing %s (sync did not return)%n"
                            + "--- serial console (tail):%n%s%n%s", r.qemu().label(), r.qemu().mac(), file,
                    r.qemu().consoleTail(4000), chainboot.logTail("iscsi-service.log", 4000)));
        }
        System.out.printf("diskless-debian %s: %s written and synced %.1f s after power-on%n", r.qemu().label(), file,
                r.qemu().seconds());
    }

    Machine register(String mac, String name, String uuid) {
        inventory.registerSanboot(mac, name, "OVERLAY", IMAGE, false);
        Disks.awaitScript(chainboot, mac, Duration.ofSeconds(30));
        return new Machine(mac, uuid, name);
    }

    /** The initiator IQN the machine's sanboot script sets (what iPXE writes into the iBFT). */
    String initiatorOf(Machine m) {
        String script = chainboot.http("GET", chainboot.scriptUrl("/api/preview/" + m.mac()), null, false).body();
        Matcher x = Pattern.compile("set initiator-iqn (\\S+)").matcher(script);
        assertThat(x.find()).as("sanboot script of %s: %s", m.mac(), script).isTrue();
        return x.group(1);
    }

    /** The guest script's common head (what the disk holds) and a write of the machine's own file. */
    static String write(Machine m) {
        return "echo wrote-begin\n"
                + "printf '%s\\n' '" + m.mac() + "' > /root/" + m.fileName() + "\nsync\necho wrote " + m.fileName() + "\n";
    }

    static String head() {
        return "echo \"files:$(cd /root && ls -1 | grep '^e2e-' | sort | tr '\\n' ' ')\"\n"
                + "echo \"ext4:$(dmesg | grep -o 'EXT4-fs (sda1): [a-z ]*' | tr '\\n' ';')\"\n";
    }

    static <T> CompletableFuture<T> async(java.util.function.Supplier<T> s) {
        return CompletableFuture.supplyAsync(s, r -> new Thread(r, "cb-e2e-os").start());
    }

    /**
     * Powers the machine on with a fresh QEMU and waits for the OS marker and the script's
     * {@code files:} line, then for OS_RUNNING in the inventory; fails naming the stage reached.
     */
    Booted boot(Machine m, String label, String action) {
        return boot(m, label, action, OsMachine.SANBOOT_MILESTONES);
    }

    /** {@link #boot(Machine, String, String)}, failure messages naming {@code milestones} of the console. */
    Booted boot(Machine m, String label, String action, List<String[]> milestones) {
        String tap;
        synchronized (this) {
            tap = ns.addTap();
        }
        Instant poweredOn = Instant.now();
        OsMachine q = new OsMachine(ns, m.mac(), m.uuid(), label).milestones(milestones).powerOn(tap, head() + action);
        // when the OS's own initiator logs in (the console is polled every 200 ms)
        Optional<Matcher> osLogin = q.await(ISCSISTART, TO_MARKER);
        Instant osLoginAt = Instant.now();
        Optional<Matcher> up = osLogin.isEmpty() ? Optional.empty() : q.await(OsMachine.OS_UP, TO_MARKER);
        double toMarker = q.seconds();
        if (up.isEmpty()) {
            q.powerOff();
            fail(failure(m, label, q, poweredOn, "no OS marker within " + TO_MARKER.toSeconds() + " s"));
        }
        System.out.printf("diskless-debian %s: power-on -> OS marker %.1f s (guest uptime %s s), load %s%n", label,
                toMarker, up.get().group(4), Cmd.run("cat", "/proc/loadavg").output().strip());
        if (q.await(FILES, TO_MARKER.plusSeconds(60)).isEmpty()) {
            q.powerOff();
            fail(failure(m, label, q, poweredOn, "the OS marker came but its fw_cfg run script printed nothing"));
        }
        List<Inventory.StageAt> stages = inventory.awaitStage(m.mac(), BootStage.OS_RUNNING, Duration.ofSeconds(60),
                        poweredOn.minusSeconds(2)).stream().filter(s -> !s.at().isBefore(poweredOn.minusSeconds(2)))
                .toList();
        Optional<BootStage> missing = BootChain.firstMissing(Firmware.BIOS, stages);
        if (missing.isPresent() || stages.stream().noneMatch(s -> s.stage() == BootStage.OS_RUNNING)) {
            q.powerOff();
            fail(failure(m, label, q, poweredOn, "the OS runs but the inventory shows " + BootChain.describe(stages)
                    + (missing.isPresent() ? "" : ": no OS_RUNNING (the second login, by the OS's own initiator)")));
        }
        Instant osRunning = stages.stream().filter(s -> s.stage() == BootStage.OS_RUNNING).findFirst().orElseThrow().at();
        if (osRunning.isBefore(osLoginAt.minusSeconds(3))) {
            q.powerOff();
            fail(failure(m, label, q, poweredOn, "the inventory says OS_RUNNING at " + osRunning + ", before the OS's"
                    + " initiator logged in (console: iscsistart at about " + osLoginAt + "): " + BootChain.describe(stages)));
        }
        return new Booted(q, poweredOn, toMarker, up.get());
    }

    /** The guest rebooted or powered off by itself (QEMU runs with -no-reboot, so it exits). */
    void awaitRebooted(Booted r) {
        if (!r.qemu().awaitExit(TO_EXIT)) {
            r.qemu().powerOff();
            fail(String.format("%s (%s) did not finish its shutdown within %d s (stuck on the iSCSI root?)%n"
                            + "--- serial console:%n%s%n%s", r.qemu().label(), r.qemu().mac(), TO_EXIT.toSeconds(),
                    r.qemu().consoleTail(3000), chainboot.logTail("iscsi-service.log", 3000)));
        }
    }

    String failure(Machine m, String label, OsMachine q, Instant poweredOn, String what) {
        List<Inventory.StageAt> stages = inventory.latestStages(m.mac()).stream()
                .filter(s -> !s.at().isBefore(poweredOn.minusSeconds(2))).toList();
        String inv = BootChain.firstMissing(Firmware.BIOS, stages).map(s -> BootChain.stoppedAt(s, stages))
                .orElse("the inventory shows " + BootChain.describe(stages));
        return String.format("diskless Debian boot %s of %s (%s) failed after %.0f s: %s; console: %s; %s%n"
                        + "--- serial console (tail):%n%s%n%s", label, m.name(), m.mac(), q.seconds(), what,
                q.consoleStage(), inv, q.consoleTail(4000), chainboot.logTail("iscsi-service.log", 4000));
    }
}
