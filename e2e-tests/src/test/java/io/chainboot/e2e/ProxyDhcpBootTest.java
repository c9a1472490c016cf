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
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The safe default on a LAN that already has DHCP: an existing dnsmasq on another host
 * (10.77.0.2, addresses only, no boot options) and Chainboot in proxyDHCP mode
 * ({@code ./chainboot up --dhcp-mode proxy}) supplying only the boot information.
 */
class ProxyDhcpBootTest {
    static final String MAC = "52:54:00:77:04:01";

    @Test
    @Timeout(360)
    void biosMachineBootsWithAddressesFromDnsmasqAndBootInfoFromChainbootProxy() throws Exception {
        Prerequisites.require(true);
        Path dir = Files.createDirectories(Path.of("target", "e2e", "proxy")).toAbsolutePath();
        Path state = dir.resolve("state");
        BootImages.deleteTree(state);
        try (TestNamespace ns = TestNamespace.create("px", dir)) {
            try (TestNamespace lan = ns.plugInHost("lan", "10.77.0.2")) {
                TestNamespace.Daemon dnsmasq = ExistingDhcp.start(lan);

                try (Chainboot chainboot = Chainboot.up(ns, state, "proxy")) {
                    Inventory inventory = new Inventory(chainboot);
                    BootImages.biosDisk(Disks.raw(state, "e2e-proxy.img"), "PROXY-DHCP-BOOTED");
                    inventory.registerSanboot(MAC, "e2e-proxy", "RAW", "e2e-proxy.img", false);
                    Disks.awaitScript(chainboot, MAC, Duration.ofSeconds(30));

                    Qemu.Boot boot = new Qemu(ns, Firmware.BIOS, MAC, ns.addTap(), "proxy").powerOn()
                            .awaitMarker("PROXY-DHCP-BOOTED", Duration.ofSeconds(90));
                    System.out.printf("chainboot proxyDHCP BIOS: power-on -> marker %.2f s (%s)%n", boot.seconds(), boot.outcome());
                    List<Inventory.StageAt> stages = inventory.awaitStage(MAC, BootStage.SAN_ATTACHED,
                            Duration.ofSeconds(boot.markerSeen() ? 60 : 10));
                    Optional<BootStage> missing = BootChain.firstMissing(Firmware.BIOS, stages);
                    assertThat(boot.markerSeen() && missing.isEmpty())
                            .as("proxyDHCP boot: %s; QEMU: %s%n--- dnsmasq:%n%s%n--- serial:%n%s%n%s",
                                    missing.map(m -> BootChain.stoppedAt(m, stages)).orElse("all stages seen"),
                                    boot.outcome(), dnsmasq.logTail(1500), boot.serialTail(),
                                    chainboot.logTail(missing.map(BootChain.SERVED_BY::get).orElse("iscsi-service") + ".log", 3000))
                            .isTrue();
                    assertThat(dnsmasq.logTail(100_000)).as("the address came from dnsmasq").contains("DHCPACK");
                }
            }
        }
    }
}
