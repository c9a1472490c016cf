package io.chainboot.e2e;

import io.chainboot.e2e.harness.BootChain;
import io.chainboot.e2e.harness.BootImages;
import io.chainboot.e2e.harness.Chainboot;
import io.chainboot.e2e.harness.ExistingDhcp;
import io.chainboot.e2e.harness.Firmware;
import io.chainboot.e2e.harness.Inventory;
import io.chainboot.e2e.harness.Prerequisites;
import io.chainboot.e2e.harness.Qemu;
import io.chainboot.e2e.harness.TestNamespace;
import io.chainboot.events.BootStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * UEFI HTTP Boot next to an existing DHCP server: dnsmasq on a second host (10.77.0.2) hands out
 * addresses only; Chainboot in proxyDHCP mode answers OVMF's {@code HTTPClient} DISCOVER with an
 * offer without an address (yiaddr 0) carrying 60 {@code HTTPClient} and the loader's URL. OVMF
 * combines the two offers (UEFI 2.5 §24.7: address from one, boot URI from the other), downloads
 * ipxe.efi over HTTP, and iPXE goes on through the proxy to its script and iSCSI disk.
 */
class ProxyHttpBootTest {
    static final String MAC = "52:54:00:77:0f:21";

    @Test
    @Timeout(360)
    void ovmfHttpBootTakesTheAddressFromDnsmasqAndTheLoaderUrlFromChainbootProxy() throws Exception {
        Prerequisites.require(true);
        Path dir = Files.createDirectories(Path.of("target", "e2e", "proxy-http")).toAbsolutePath();
        Path state = dir.resolve("state");
        BootImages.deleteTree(state);
        long pid = ProcessHandle.current().pid();
        try (TestNamespace ns = TestNamespace.create("cb-fw", "pxhttp", dir)) {
            try (TestNamespace lan = ns.plugIn("cb-fw-" + pid + "-dhcp", "dhcp", "10.77.0.2")) {
                TestNamespace.Daemon dnsmasq = ExistingDhcp.start(lan);
                try (Chainboot chainboot = Chainboot.up(ns, state, "proxy")) { // HTTP Boot on by default
                    Inventory inventory = new Inventory(chainboot);
                    BootImages.uefiDisk(Disks.raw(state, "e2e-proxyhttp.img"), "PROXY-HTTP-BOOTED");
                    inventory.registerSanboot(MAC, "e2e-proxyhttp", "RAW", "e2e-proxyhttp.img", false);
                    Disks.awaitScript(chainboot, MAC, Duration.ofSeconds(30));
                    Instant on = Instant.now();
                    Qemu.Boot boot = new Qemu(ns, Firmware.UEFI_HTTP, MAC, ns.addTap(), "proxyhttp").powerOn()
                            .awaitMarker("PROXY-HTTP-BOOTED", Duration.ofSeconds(200));
                    System.out.printf("chainboot proxyDHCP UEFI_HTTP: power-on -> marker %.2f s (%s); load: %s%n",
                            boot.seconds(), boot.outcome(), OvmfBootPathsTest.loadAverage());
                    Instant from = on.minusSeconds(2);
                    List<Inventory.StageAt> stages = inventory.awaitStage(MAC, BootStage.SAN_ATTACHED,
                            Duration.ofSeconds(boot.markerSeen() ? 60 : 10), from).stream()
                            .filter(s -> !s.at().isBefore(from)).toList();
                    Optional<BootStage> missing = BootChain.firstMissing(Firmware.UEFI_HTTP, stages);
                    assertThat(boot.markerSeen() && missing.isEmpty())
                            .as("proxyDHCP HTTP boot: %s; QEMU: %s%n--- dnsmasq:%n%s%n--- serial:%n%s%n%s%s",
                                    missing.map(m -> BootChain.stoppedAt(m, stages)).orElse("all stages seen"),
                                    boot.outcome(), dnsmasq.logTail(1500), boot.serialTail(),
                                    chainboot.logTail("dhcp-service.log", 2500), chainboot.logTail("script-service.log", 1500))
                            .isTrue();
                    assertThat(boot.serial()).as("OVMF took its address from dnsmasq's pool")
                            .containsPattern("Station IP address is 10\\.77\\.0\\.1[5-9][0-9]");
                }
            }
        }
    }
}
