package io.chainboot.e2e;

import io.chainboot.e2e.harness.BootChain;
import io.chainboot.e2e.harness.BootImages;
import io.chainboot.e2e.harness.Chainboot;
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
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A machine behind a DHCP relay on another subnet boots its iSCSI disk while a machine on the
 * server's own LAN boots at the same time. Topology: Chainboot ({@code ./chainboot up}, full mode,
 * {@code chainboot.dhcp.relay-pools} for 10.78.0.0/24) on 10.77.0.1/24; a router namespace with
 * 10.77.0.254 on that LAN and 10.78.0.1/24 on a second bridge, forwarding between them, running
 * dnsmasq as a pure DHCP relay ({@code --dhcp-relay=10.78.0.1,10.77.0.1}: giaddr 10.78.0.1). The
 * remote guest's DISCOVER reaches dhcp-service as a unicast from the relay; the OFFER/ACK go back to
 * the relay's port 67 (RFC 2131 §4.1); the remote guest is OVMF, so its ipxe.efi comes over TFTP,
 * then its script over HTTP and its disk over iSCSI, all from 10.77.0.1 across the router. The local
 * guest is BIOS (iPXE ROM) on the server's own LAN.
 */
class RelayBootTest {
    static final String LOCAL_MAC = "52:54:00:77:0f:11";
    static final String REMOTE_MAC = "52:54:00:77:0f:12";

    record Booted(Qemu.Boot boot, Instant poweredOn) {
    }

    @Test
    @Timeout(420)
    void aUefiMachineBehindARelayAndALocalMachineBootTheirDisksAtTheSameTime() throws Exception {
        Prerequisites.require(true); // dnsmasq-base is the relay
        Path dir = Files.createDirectories(Path.of("target", "e2e", "relay")).toAbsolutePath();
        Path state = dir.resolve("state");
        BootImages.deleteTree(state);
        long pid = ProcessHandle.current().pid();
        try (TestNamespace ns = TestNamespace.create("cb-fw", "relay", dir)) {
            try (TestNamespace router = ns.plugIn("cb-fw-" + pid + "-rtr", "rtr", "10.77.0.254").routeTo("10.78.0.1/24")) {
                ns.exec("ip", "route", "add", "10.78.0.0/24", "via", "10.77.0.254");
                TestNamespace.Daemon relay = router.start("dnsmasq-relay", "dnsmasq", "--keep-in-foreground",
                        "--log-facility=-", "--conf-file=/dev/null", "--port=0", "--user=root",
                        "--interface=" + TestNamespace.BRIDGE, "--interface=eth0", "--bind-dynamic",
                        "--dhcp-relay=10.78.0.1,10.77.0.1", "--log-dhcp");
                assertThat(router.waitListening("udp", 67, Duration.ofSeconds(10)))
                        .as("dnsmasq relay listening: %s", relay.logTail(800)).isTrue();
                try (Chainboot chainboot = Chainboot.up(ns, state, "full",
                        "--relay-pool", "10.78.0.100-10.78.0.200/24@10.78.0.1")) {
                    Inventory inventory = new Inventory(chainboot);
                    BootImages.biosDisk(Disks.raw(state, "e2e-local.img"), "LOCAL-LAN-BOOTED");
                    BootImages.uefiDisk(Disks.raw(state, "e2e-relayed.img"), "RELAYED-BOOTED");
                    for (String[] m : new String[][] {{LOCAL_MAC, "e2e-local"}, {REMOTE_MAC, "e2e-relayed"}}) {
                        inventory.registerSanboot(m[0], m[1], "RAW", m[1] + ".img", false);
                        Disks.awaitScript(chainboot, m[0], Duration.ofSeconds(30));
                    }
                    String localTap = ns.addTap();
                    String remoteTap = router.addTap();
                    CompletableFuture<Booted> local = CompletableFuture.supplyAsync(
                            () -> boot(ns, Firmware.BIOS, LOCAL_MAC, localTap, "local", "LOCAL-LAN-BOOTED"));
                    CompletableFuture<Booted> remote = CompletableFuture.supplyAsync(
                            () -> boot(router, Firmware.UEFI, REMOTE_MAC, remoteTap, "relayed", "RELAYED-BOOTED"));
                    Booted l = local.get();
                    Booted r = remote.get();
                    check(chainboot, inventory, relay, Firmware.BIOS, LOCAL_MAC, "local", l);
                    check(chainboot, inventory, relay, Firmware.UEFI, REMOTE_MAC, "relayed", r);
                    assertThat(leasedIp(chainboot, REMOTE_MAC)).as("the relayed machine's lease").startsWith("10.78.0.");
                    assertThat(leasedIp(chainboot, LOCAL_MAC)).as("the local machine's lease").startsWith("10.77.0.");
                    // "DHCP relay from … to …" is its start-up line; "DHCP relay at … -> …" one per packet relayed
                    assertThat(relay.logTail(200_000)).as("dnsmasq relayed the remote machine's DHCP")
                            .contains("DHCP relay at 10.78.0.1 -> 10.77.0.1");
                }
            }
        }
    }

    static Booted boot(TestNamespace where, Firmware fw, String mac, String tap, String label, String marker) {
        Instant on = Instant.now();
        Qemu.Boot b = new Qemu(where, fw, mac, tap, label).powerOn().awaitMarker(marker, Duration.ofSeconds(240));
        System.out.printf("chainboot relay test %s " + fw + ": power-on -> marker %.2f s (%s); load: %s%n", label, b.seconds(),
                b.outcome(), OvmfBootPathsTest.loadAverage());
        return new Booted(b, on);
    }

    static void check(Chainboot cb, Inventory inventory, TestNamespace.Daemon relay, Firmware fw, String mac, String label,
                      Booted b) {
        Instant from = b.poweredOn().minusSeconds(2);
        List<Inventory.StageAt> stages = inventory.awaitStage(mac, BootStage.SAN_ATTACHED,
                Duration.ofSeconds(b.boot().markerSeen() ? 60 : 10), from).stream().filter(s -> !s.at().isBefore(from)).toList();
        Optional<BootStage> missing = BootChain.firstMissing(fw, stages);
        assertThat(b.boot().markerSeen() && missing.isEmpty())
                .as("%s machine %s: %s; QEMU: %s%n--- serial:%n%s%n--- relay:%n%s%n%s", label, mac,
                        missing.map(m -> BootChain.stoppedAt(m, stages)).orElse("every stage seen"), b.boot().outcome(),
                        b.boot().serialTail(), relay.logTail(2000), cb.logTail("dhcp-service.log", 3000))
                .isTrue();
    }

    /** The address dhcp-service leased to {@code mac}, from its dhcp.acked in the inventory. */
    static String leasedIp(Chainboot cb, String mac) {
        Chainboot.Http r = cb.http("GET", cb.inventoryUrl("/api/machines/" + mac), null, true);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"ip\"\\s*:\\s*\"([0-9.]+)\"").matcher(r.body());
        return m.find() ? m.group(1) : "(none in " + r.body() + ")";
    }
}
