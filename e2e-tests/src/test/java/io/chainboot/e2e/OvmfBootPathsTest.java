package io.chainboot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainboot.e2e.harness.BootChain;
import io.chainboot.e2e.harness.BootImages;
import io.chainboot.e2e.harness.Chainboot;
import io.chainboot.e2e.harness.Firmware;
import io.chainboot.e2e.harness.Inventory;
import io.chainboot.e2e.harness.Prerequisites;
import io.chainboot.e2e.harness.Qemu;
import io.chainboot.e2e.harness.Stack;
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
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The OVMF paths with real firmware on one Chainboot. UEFI HTTP Boot (IPv4): OVMF with PXE off sends {@code HTTPClient:Arch:00016},
 * dhcp-service (full mode, started by {@code ./chainboot up}) answers 60 = HTTPClient and the URL of
 * ipxe.efi on script-service's {@code /boot-files/}, OVMF downloads it over HTTP, iPXE does its own
 * DHCP, fetches its script and boots its iSCSI disk. The inventory shows every stage, the firmware
 * fetch as {@code http.completed}. Then the same OVMF boots the same way over PXE + TFTP, so both
 * times come from one run. Last, OVMF with Secure Boot on (Microsoft keys) refuses the unsigned
 * ipxe.efi that TFTP delivered, and the inventory shows the attempt stalled at FIRMWARE_LOADED: the
 * loader arrived and never ran (no iPXE DHCP follows).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OvmfBootPathsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    Path dir;
    Stack stack;
    TestNamespace ns;
    Chainboot chainboot;
    Inventory inventory;
    static double httpSeconds;

    @BeforeAll
    void up() throws Exception {
        Prerequisites.require(false);
        dir = Files.createDirectories(Path.of("target", "e2e", "http-boot")).toAbsolutePath();
        Path state = dir.resolve("state");
        BootImages.deleteTree(state);
        // HTTP Boot as ./chainboot up sets it up by itself: the loaders of the TFTP root (the
        // launcher copies Debian's iPXE there) served over HTTP at <script URL>/boot-files/
        stack = Stack.up(TestNamespace.create("cb-fw", "http", dir), state, "full", Map.of(
                // a loader that never runs is a stall at FIRMWARE_LOADED: 30 s instead of 60 s keeps the test short
                "CHAINBOOT_INVENTORY_STALL_FIRMWARE_LOADED", "30s",
                // the Secure Boot path: GRUB's grub/grub.cfg* over TFTP are rendered by script-service
                "CHAINBOOT_TFTP_GRUB_CONFIG_URL", "http://" + TestNamespace.SERVER_IP + ":" + Chainboot.SCRIPT_PORT + "/grub/"));
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
    @Timeout(300)
    void ovmfHttpBootLoadsIpxeOverHttpAndBootsTheIscsiDisk() {
        String mac = "52:54:00:77:0f:01";
        prepareAndBoot(Firmware.UEFI_HTTP, mac, "e2e-httpboot");
        String attempt = attemptJson(mac);
        assertThat(attempt).as("the firmware's loader fetch is in the boot's timeline as http.completed")
                .contains("\"http.completed\"").contains("ipxe.efi");
        assertThat(attempt).as("HTTP Boot fetches no TFTP file").doesNotContain("\"tftp.completed\"");
    }

    @Test
    @Order(2)
    @Timeout(300)
    void theSameOvmfOverPxeAndTftpForComparison() {
        prepareAndBoot(Firmware.UEFI, "52:54:00:77:0f:02", "e2e-httppxe");
        assertThat(attemptJson("52:54:00:77:0f:02")).contains("\"tftp.completed\"").doesNotContain("\"http.completed\"");
    }

    /**
     * Secure Boot on: OVMF loads ipxe.efi over TFTP and refuses to start it (not signed by a key in db:
     * "Access Denied"). The inventory has the TFTP delivery (FIRMWARE_LOADED), no iPXE DHCP, and then
     * declares the attempt stalled at FIRMWARE_LOADED: where, and with the timeline why.
     */
    @Test
    @Order(3)
    @Timeout(300)
    void secureBootRefusesTheUnsignedIpxeAndTheInventoryShowsItStalledAfterTheLoader() {
        String mac = "52:54:00:77:0f:03";
        String host = "e2e-secureboot";
        BootImages.disk(Firmware.UEFI, Disks.raw(chainboot.state(), host + ".img"), Firmware.UEFI.marker());
        inventory.registerSanboot(mac, host, "RAW", host + ".img", false);
        Disks.awaitScript(chainboot, mac, Duration.ofSeconds(30));
        Instant poweredOn = Instant.now();
        Qemu.Boot boot = new Qemu(ns, Firmware.UEFI_SECURE_BOOT, mac, ns.addTap(), host).powerOn()
                .awaitMarker("Access Denied", Duration.ofSeconds(200));
        System.out.printf("chainboot UEFI_SECURE_BOOT %s: power-on -> refusal %.2f s (%s); load: %s%n", host, boot.seconds(),
                boot.outcome(), loadAverage());
        assertThat(boot.markerSeen()).as("OVMF with Secure Boot must refuse the unsigned ipxe.efi; QEMU: %s%n%s",
                boot.outcome(), boot.serialTail()).isTrue();
        assertThat(boot.serial()).as("the iSCSI disk was never reached").doesNotContain(Firmware.UEFI.marker());
        Instant from = poweredOn.minusSeconds(2);
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode latest = JSON.createObjectNode();
        while (System.nanoTime() < end) {
            latest = latestAttempt(mac);
            if ("STALLED".equals(latest.path("stage").asText())) {
                break;
            }
            TestNamespace.sleep(1000);
        }
        List<Inventory.StageAt> stages = inventory.latestStages(mac).stream().filter(s -> !s.at().isBefore(from)).toList();
        assertThat(stages.stream().map(Inventory.StageAt::stage).toList()).as("timeline %s", latest)
                .containsExactly(BootStage.PXE_DHCP, BootStage.FIRMWARE_LOADED);
        assertThat(latest.path("stage").asText()).as("the attempt is declared stalled: %s", latest).isEqualTo("STALLED");
        assertThat(latest.path("reason").asText()).as("stalled after the loader was delivered: %s", latest)
                .isEqualTo("no progress past FIRMWARE_LOADED");
        assertThat(attemptJson(mac)).as("the delivered loader is in the timeline").contains("\"tftp.completed\"", "ipxe.efi")
                .doesNotContain("\"script.rendered\"");
    }

    static final String SHIM = "/usr/lib/shim/shimx64.efi.signed";
    static final String GRUB = "/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed";
    /** Package debian-installer-12-netboot-amd64: its kernel is the Debian-signed one of linux-image-amd64. */
    static final String INSTALLER = "/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64";
    /** Printed by the installer's initramfs (its /init's rcS), ~15 s of kernel time after the kernel started. */
    static final String INITRAMFS_MARKER = "Starting system log daemon: syslogd, klogd.";

    /**
     * The Secure Boot chain, positive: a machine labelled {@code secure-boot: "true"} gets Debian's signed shim
     * over TFTP (the boot table's Secure Boot path); OVMF (Secure Boot on, Microsoft keys) starts it, shim
     * verifies and starts the signed GRUB from the same TFTP directory, GRUB reads {@code grub/grub.cfg}
     * (tftp-service asks script-service: a stub that asks for {@code grub.cfg-<mac>}) and that machine's
     * configuration, rendered from its {@code linux} profile: the Debian-signed installer kernel and its
     * initrd over TFTP. The installer's initramfs prints its marker. The inventory shows PXE_DHCP,
     * FIRMWARE_LOADED (shim, GRUB, both configurations, kernel, initrd as tftp.completed) and SCRIPT (the
     * rendered GRUB configuration), no failure (shim's and GRUB's probes for optional files are not failures).
     */
    @Test
    @Order(4)
    @Timeout(400)
    void secureBootBootsShimGrubAndTheSignedKernelToItsInitramfs() throws Exception {
        for (String[] f : new String[][]{{SHIM, "shim-signed"}, {GRUB, "grub-efi-amd64-signed"},
                {INSTALLER + "/linux", "debian-installer-12-netboot-amd64"}}) {
            if (!Files.isRegularFile(Path.of(f[0]))) {
                fail("missing " + f[0] + ": apt-get install " + f[1]);
            }
        }
        Path tftp = chainboot.state().resolve("tftp");
        Files.copy(Path.of(SHIM), tftp.resolve("shimx64.efi"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of(GRUB), tftp.resolve("grubx64.efi"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path di = Files.createDirectories(tftp.resolve("debian-installer-12"));
        Files.copy(Path.of(INSTALLER, "linux"), di.resolve("linux"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of(INSTALLER, "initrd.gz"), di.resolve("initrd.gz"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(Files.createDirectories(chainboot.state().resolve("profiles")).resolve("sb-installer.yaml"), """
                name: sb-installer
                kind: linux
                description: Debian installer, signed kernel, for the Secure Boot path
                params:
                  kernel: debian-installer-12/linux
                  initrd: debian-installer-12/initrd.gz
                  cmdline: console=ttyS0,115200 priority=low
                """);
        Disks.awaitProfile(chainboot, "sb-installer", Duration.ofSeconds(30));
        String mac = "52:54:00:77:0f:04";
        inventory.registerLabelled(mac, "e2e-sb-chain", "sb-installer", Map.of("secure-boot", "true"));
        Disks.awaitScript(chainboot, mac, "debian-installer-12/initrd.gz", Duration.ofSeconds(60));
        Instant poweredOn = Instant.now();
        Qemu.Boot boot = new Qemu(ns, Firmware.UEFI_SECURE_BOOT, mac, ns.addTap(), "e2e-sb-chain").memory(512).powerOn()
                .awaitMarker(INITRAMFS_MARKER, Duration.ofSeconds(300));
        System.out.printf("chainboot UEFI_SECURE_BOOT shim -> grub -> signed kernel: power-on -> initramfs marker %.2f s (%s);"
                + " load: %s%n", boot.seconds(), boot.outcome(), loadAverage());
        if (!boot.markerSeen()) {
            fail(String.format("Secure Boot chain did not reach the initramfs: %s%n--- timeline: %s%n--- serial:%n%s%n%s%s",
                    boot.outcome(), inventory.timelineJson(mac), boot.serialTail(), chainboot.logTail("tftp-service.log", 3000),
                    chainboot.logTail("script-service.log", 2000)));
        }
        assertThat(boot.serial()).as("shim started the signed GRUB, which started the kernel")
                .contains("Fetching Netboot Image grubx64.efi").contains("Chainboot: sb-installer: loading the kernel")
                .doesNotContain("Access Denied");
        Instant from = poweredOn.minusSeconds(2);
        List<Inventory.StageAt> stages = inventory.awaitStage(mac, BootStage.SCRIPT, Duration.ofSeconds(60), from).stream()
                .filter(s -> !s.at().isBefore(from)).toList();
        assertThat(stages.stream().map(Inventory.StageAt::stage).toList()).as("timeline %s", inventory.timelineJson(mac))
                .containsExactly(BootStage.PXE_DHCP, BootStage.FIRMWARE_LOADED, BootStage.SCRIPT);
        String attempt = attemptJson(mac);
        assertThat(attempt).as("every file of the chain is in the attempt's timeline")
                .contains("shimx64.efi", "grubx64.efi", "grub/grub.cfg-" + mac, "debian-installer-12/linux",
                        "debian-installer-12/initrd.gz", "\"script.rendered\"", "sb-installer")
                .doesNotContain("\"tftp.failed\"", "\"script.failed\"");
    }

    JsonNode latestAttempt(String mac) {
        try {
            JsonNode boots = JSON.readTree(inventory.timelineJson(mac));
            return boots.isArray() && boots.size() > 0 ? boots.get(0) : JSON.createObjectNode();
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    /** Registers a machine with its own disk, boots it, checks the marker and every stage; returns the power-on time. */
    Instant prepareAndBoot(Firmware fw, String mac, String host) {
        BootImages.disk(fw, Disks.raw(chainboot.state(), host + ".img"), fw.marker());
        inventory.registerSanboot(mac, host, "RAW", host + ".img", false);
        Disks.awaitScript(chainboot, mac, Duration.ofSeconds(30));
        Instant poweredOn = Instant.now();
        Qemu.Boot boot = new Qemu(ns, fw, mac, ns.addTap(), host).powerOn().awaitMarker(fw.marker(), Duration.ofSeconds(200));
        System.out.printf("chainboot %s %s: power-on -> marker %.2f s (%s); load: %s%n", fw, host, boot.seconds(),
                boot.outcome(), loadAverage());
        Instant from = poweredOn.minusSeconds(2);
        List<Inventory.StageAt> stages = inventory.awaitStage(mac, BootStage.SAN_ATTACHED,
                Duration.ofSeconds(boot.markerSeen() ? 60 : 10), from).stream().filter(s -> !s.at().isBefore(from)).toList();
        Optional<BootStage> missing = BootChain.firstMissing(fw, stages);
        if (!boot.markerSeen() || missing.isPresent()) {
            String service = missing.map(BootChain.SERVED_BY::get).orElse("iscsi-service");
            if (missing.filter(m -> m == BootStage.FIRMWARE_LOADED).isPresent() && fw == Firmware.UEFI_HTTP) {
                service = "script-service"; // HTTP Boot's loader comes from script-service's /boot-files/
            }
            fail(String.format("%s boot of %s (%s) failed: %s; QEMU: %s%n--- timeline: %s%n--- serial:%n%s%n%s%s", fw, host,
                    mac, missing.map(m -> BootChain.stoppedAt(m, stages)).orElse("every stage seen, no marker"),
                    boot.outcome(), inventory.timelineJson(mac), boot.serialTail(), chainboot.logTail(service + ".log", 3000),
                    chainboot.logTail("dhcp-service.log", 2000)));
        }
        BootChain.timingProblem(stages, poweredOn, Instant.now()).ifPresent(p -> fail(fw + " timeline: " + p));
        return poweredOn;
    }

    /** The machine's latest attempt with every event ({@code GET /api/boots/{id}}). */
    String attemptJson(String mac) {
        try {
            JsonNode boots = JSON.readTree(inventory.timelineJson(mac));
            String id = boots.get(0).get("id").asText();
            Chainboot.Http r = chainboot.http("GET", chainboot.inventoryUrl("/api/boots/" + id), null, true);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            return r.body();
        } catch (Exception e) {
            throw new AssertionError("cannot read the boot attempt of " + mac + ": " + e, e);
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
