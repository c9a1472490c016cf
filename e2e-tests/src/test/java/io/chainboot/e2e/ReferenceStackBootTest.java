package io.chainboot.e2e;

import io.chainboot.e2e.harness.BootImages;
import io.chainboot.e2e.harness.Firmware;
import io.chainboot.e2e.harness.Prerequisites;
import io.chainboot.e2e.harness.Qemu;
import io.chainboot.e2e.harness.ReferenceStack;
import io.chainboot.e2e.harness.TestNamespace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves the harness (namespace, boot images, QEMU, serial marker) with the reference
 * stack Chainboot replaces: dnsmasq + http.server + tgtd. If this fails, the machine or the
 * harness is broken, not Chainboot.
 */
class ReferenceStackBootTest {
    static final String MAC = "52:54:00:77:00:10";

    @BeforeAll
    static void prerequisites() {
        Prerequisites.require(true);
    }

    /**
     * The firmware paths the reference chain (dnsmasq PXE + TFTP, tgtd) is configured for: HTTP Boot
     * and Secure Boot are Chainboot's own e2e tests (OvmfBootPathsTest); the reference has no HTTP
     * boot file and boots unsigned iPXE, which Secure Boot refuses.
     */
    @ParameterizedTest
    @EnumSource(value = Firmware.class, names = {"BIOS", "UEFI"})
    @Timeout(180)
    void guestBootsItsIscsiDiskThroughTheReferenceStack(Firmware firmware) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "e2e", "reference-" + firmware.name().toLowerCase()))
                .toAbsolutePath();
        Path disk = BootImages.disk(firmware, dir.resolve("disk.img"), firmware.marker());
        try (TestNamespace ns = TestNamespace.create("ref", dir);
             ReferenceStack ignored = ReferenceStack.start(ns, disk)) {
            String tap = ns.addTap();
            Qemu.Boot boot = new Qemu(ns, firmware, MAC, tap, "guest").powerOn()
                    .awaitMarker(firmware.marker(), Duration.ofSeconds(120));
            System.out.printf("reference %s: power-on -> marker %.2f s%n", firmware, boot.seconds());
            assertThat(boot.markerSeen())
                    .as("%s guest via reference stack: %s; serial console:%n%s", firmware, boot.outcome(), boot.serialTail())
                    .isTrue();
        }
    }
}
