package io.chainboot.e2e;

import io.chainboot.e2e.harness.BootChain;
import io.chainboot.e2e.harness.BootImages;
import io.chainboot.e2e.harness.Chainboot;
import io.chainboot.e2e.harness.Firmware;
import io.chainboot.e2e.harness.Inventory;
import io.chainboot.e2e.harness.Prerequisites;
import io.chainboot.e2e.harness.Qemu;
import io.chainboot.e2e.harness.Stack;
import io.chainboot.e2e.harness.TestNamespace;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * The IPv6 boot path with real firmware, no helper daemon: one Chainboot ({@code ./chainboot up}, full mode)
 * with DHCPv6 on ({@code --v6-pool}, {@code --v6-prefix}, {@code --address6}), its router advertisements carrying M and O and the on-link
 * prefix fd77::/64, and script-service's {@code iscsi-server-v6} set to {@code --address6} (scripts fetched over IPv6 name it). The guest's tap is IPv6-only:
 * ebtables on the bridge drops every IPv4 and ARP frame to and from it, so nothing of the IPv4 stack can help.
 * OVMF (Debian ovmf, PXE off) tries HTTP Boot over IPv4 (no answer: it times out), then over IPv6: DHCPv6
 * (vendor class HTTPClient, arch 16) gives it an IA_NA address and option 59, the URL of ipxe.efi on
 * script-service's {@code /boot-files/} at {@code [fd77::1]}; iPXE (Debian ipxe's ipxe.efi) configures IPv6
 * from the advertisement and DHCPv6, fetches {@code http://[fd77::1]:8081/boot.ipxe} and sanboots
 * {@code iscsi:[fd77::1]::3260:0:<target>}. The inventory shows the whole UEFI chain, PXE_DHCP, FIRMWARE_LOADED
 * (the {@code http.completed} of ipxe.efi fetched over IPv6, its MAC found through the DHCPv6 lease of OVMF's address
 * on {@code chainboot.leases}), IPXE_DHCP, SCRIPT, SAN_ATTACHED, in order. (OVMF's IPv4 HTTP Boot and PXE are
 * OvmfBootPathsTest's.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Ipv6BootTest {
    static final String SERVER6 = "fd77::1";
    static final ObjectMapper JSON = new ObjectMapper();

    Path dir;
    Stack stack;
    TestNamespace ns;
    Chainboot chainboot;
    Inventory inventory;

    @BeforeAll
    void up() throws Exception {
        Prerequisites.require(false);
        if (!Files.isExecutable(Path.of("/usr/sbin/ebtables")) && !Files.isExecutable(Path.of("/sbin/ebtables"))) {
            fail("ebtables is missing (the IPv6-only link): apt-get install iptables");
        }
        dir = Files.createDirectories(Path.of("target", "e2e", "ipv6-boot")).toAbsolutePath();
        Path state = dir.resolve("state");
        BootImages.deleteTree(state);
        TestNamespace n = TestNamespace.create("cb-v6", "ip6", dir);
        n.exec("ip", "-6", "addr", "add", SERVER6 + "/64", "dev", TestNamespace.BRIDGE, "nodad");
        // IPv6 as a user turns it on: ./chainboot up's own options, no environment variables
        stack = Stack.up(n, state, "full", Map.of(), "--v6-pool", "fd77::100-fd77::1ff", "--v6-prefix", "fd77::/64",
                "--address6", SERVER6);
        ns = stack.ns;
        chainboot = stack.chainboot;
        inventory = stack.inventory;
        assertThat(chainboot.logTail("dhcp-service.log", 20_000)).as("DHCPv6 is listening")
                .contains("DHCPv6 listening on udp [::]:547 on br0 full, pool fd77::100-fd77::1ff");
    }

    @AfterAll
    void teardown() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    @Timeout(400)
    void ovmfHttpBootOverIpv6LoadsIpxeWhichFetchesItsScriptAndBootsTheIscsiDiskOverIpv6() {
        String mac = "52:54:00:77:16:01";
        String host = "e2e-ipv6";
        String tap = ns.addTap();
        for (String proto : new String[]{"IPv4", "ARP"}) {
            ns.exec("ebtables", "-A", "FORWARD", "-i", tap, "-p", proto, "-j", "DROP");
            ns.exec("ebtables", "-A", "FORWARD", "-o", tap, "-p", proto, "-j", "DROP");
            ns.exec("ebtables", "-A", "INPUT", "-i", tap, "-p", proto, "-j", "DROP");
            ns.exec("ebtables", "-A", "OUTPUT", "-o", tap, "-p", proto, "-j", "DROP");
        }
        Qemu.Boot boot = boot(mac, host, tap);
        String serial = boot.serial().replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "");
        assertThat(serial).as("OVMF's IPv4 HTTP Boot found nothing (the link has no IPv4)")
                .contains("Start HTTP Boot over IPv6").contains("Station IPv6 address is FD77:");
        assertThat(serial).as("iPXE configured IPv6 from DHCPv6 and fetched its script over IPv6")
                .containsPattern("net0: fd77::1[0-9a-f]{2}/64").contains("http://[" + SERVER6 + "]:" + Chainboot.SCRIPT_PORT + "/boot.ipxe");
        List<Inventory.StageAt> seen = stagesSince(mac);
        List<BootStage> stages = seen.stream().map(Inventory.StageAt::stage).toList();
        System.out.printf("IPv6 inventory stages: %s%n", BootChain.describe(seen));
        // the whole chain, as the IPv4 UEFI boots show it; FIRMWARE_LOADED is script-service's http.completed for the
        // ipxe.efi OVMF fetched over IPv6, named by the DHCPv6 lease of OVMF's IA_NA address (chainboot.leases)
        Optional<BootStage> missing = BootChain.firstMissing(Firmware.UEFI_HTTP, seen);
        if (missing.isPresent()) {
            String service = missing.get() == BootStage.FIRMWARE_LOADED ? "script-service" : BootChain.SERVED_BY.get(missing.get());
            fail(String.format("%s%n--- timeline: %s%n%s%s", BootChain.stoppedAt(missing.get(), seen), inventory.timelineJson(mac),
                    chainboot.logTail(service + ".log", 3000), chainboot.logTail("dhcp-service.log", 2000)));
        }
        assertThat(stages).containsSubsequence(BootChain.expected(Firmware.UEFI_HTTP));
        BootChain.timingProblem(seen, poweredOn, Instant.now()).ifPresent(p -> fail("IPv6 timeline: " + p));
        String attempt = attemptJson(mac);
        assertThat(attempt).as("the DHCPv6 answers are in the boot's events with their IPv6 addresses")
                .contains("\"ipv6\":\"fd77::1").contains("http://[" + SERVER6 + "]");
        List<JsonNode> fetched = objectsOfType(attempt, "http.completed");
        assertThat(fetched).as("the firmware fetch over IPv6 is an http.completed with the client's IPv6 address and the MAC; %s", attempt)
                .anySatisfy(e -> {
                    assertThat(e.path("ipv6").asText()).matches("fd77::1[0-9a-f]{2}");
                    assertThat(e.path("mac").asText()).isEqualTo(mac);
                    assertThat(e.path("file").asText()).isEqualTo("ipxe.efi");
                });
        assertThat(Files.exists(chainboot.state().resolve("dhcp/leases6.txt"))).as("DHCPv6 leases persisted").isTrue();
    }

    Instant poweredOn;

    Qemu.Boot boot(String mac, String host, String tap) {
        Firmware fw = Firmware.UEFI_HTTP;
        BootImages.disk(fw, Disks.raw(chainboot.state(), host + ".img"), fw.marker());
        inventory.registerSanboot(mac, host, "RAW", host + ".img", false);
        Disks.awaitScript(chainboot, mac, Duration.ofSeconds(30));
        poweredOn = Instant.now();
        Qemu.Boot boot = new Qemu(ns, fw, mac, tap, host).powerOn().awaitMarker(fw.marker(), Duration.ofSeconds(330));
        System.out.printf("chainboot %s %s: power-on -> marker %.2f s (%s); load: %s%n", fw, host, boot.seconds(),
                boot.outcome(), OvmfBootPathsTest.loadAverage());
        if (!boot.markerSeen()) {
            fail(String.format("%s did not boot its disk: %s%n--- timeline: %s%n--- serial:%n%s%n%s%s", host, boot.outcome(),
                    inventory.timelineJson(mac), boot.serialTail(), chainboot.logTail("dhcp-service.log", 3000),
                    chainboot.logTail("iscsi-service.log", 2000)));
        }
        return boot;
    }

    /** The machine's latest attempt with every event ({@code GET /api/boots/{id}}), as OvmfBootPathsTest reads it. */
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

    /** Every JSON object in {@code json}, at any depth, whose {@code type} is {@code type} (the events of an attempt). */
    static List<JsonNode> objectsOfType(String json, String type) {
        List<JsonNode> out = new java.util.ArrayList<>();
        java.util.ArrayDeque<JsonNode> todo = new java.util.ArrayDeque<>();
        try {
            todo.add(JSON.readTree(json));
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
        while (!todo.isEmpty()) {
            JsonNode n = todo.poll();
            if (n.isObject() && type.equals(n.path("type").asText())) {
                out.add(n);
            }
            n.elements().forEachRemaining(todo::add);
        }
        return out;
    }

    /** This boot's stages, once every stage of the UEFI chain is there (or 60 s passed): events of one boot come from several services. */
    List<Inventory.StageAt> stagesSince(String mac) {
        Instant from = poweredOn.minusSeconds(2);
        return inventory.awaitStages(mac, Duration.ofSeconds(60), seen -> BootChain.firstMissing(Firmware.UEFI_HTTP,
                        seen.stream().filter(s -> !s.at().isBefore(from)).toList()).isEmpty()).stream()
                .filter(s -> !s.at().isBefore(from)).toList();
    }
}
