package io.chainboot.events;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wire JSON of every event type, pinned in {@code src/test/resources/golden-events/<type>.json}:
 * {@link EventJsonTest#sample}'s event encodes to exactly those bytes, and they decode to it. A change
 * of any field name, order or format fails here, whatever the type. {@code -Dgolden.write=true}
 * writes the files from the current encoding (for a deliberate, reviewed change of the contract).
 */
class GoldenEventsTest {
    static final Path DIR = Path.of("src/test/resources/golden-events");

    @ParameterizedTest
    @EnumSource(EventType.class)
    void wireJsonIsPinned(EventType type) throws IOException {
        BootEvent sample = EventJsonTest.sample(type);
        String encoded = new String(EventJson.encode(sample), StandardCharsets.UTF_8);
        Path golden = DIR.resolve(type.wireName() + ".json");
        if (Boolean.getBoolean("golden.write")) {
            Files.createDirectories(DIR);
            Files.writeString(golden, encoded + "\n");
        }
        assertThat(golden).as("golden file of " + type.wireName()).isRegularFile();
        String pinned = Files.readString(golden).strip();
        assertThat(encoded).isEqualTo(pinned);
        assertThat(EventJson.decodeEvent(pinned.getBytes(StandardCharsets.UTF_8)).orElseThrow()).isEqualTo(sample);
    }

    /** The DHCPv6 shapes of dhcp.offered (Advertise) and dhcp.acked (Reply): {@code ipv6} set, {@code ip} absent. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"dhcp.offered", "dhcp.acked"})
    void dhcpv6WireJsonIsPinned(String wireName) throws IOException {
        BootEvent sample = wireName.equals("dhcp.offered")
                ? new DhcpEvents.Offered(EventJsonTest.ID, EventJsonTest.T, EventJsonTest.SRC, EventJsonTest.MAC, null,
                ClientKind.FIRMWARE, 16, "HTTPClient:Arch:00016:UNDI:003000", null, "http://[fd77::1]:8081/boot-files/ipxe.efi",
                "full", 3600, "fd77::100")
                : new DhcpEvents.Acked(EventJsonTest.ID, EventJsonTest.T, EventJsonTest.SRC, EventJsonTest.MAC, null,
                ClientKind.IPXE, 7, null, null, "http://[fd77::1]:8081/boot.ipxe", "proxy", 0, null, "::");
        String encoded = new String(EventJson.encode(sample), StandardCharsets.UTF_8);
        Path golden = DIR.resolve(wireName + ".ipv6.json");
        if (Boolean.getBoolean("golden.write")) {
            Files.writeString(golden, encoded + "\n");
        }
        String pinned = Files.readString(golden).strip();
        assertThat(encoded).isEqualTo(pinned);
        assertThat(EventJson.decodeEvent(pinned.getBytes(StandardCharsets.UTF_8)).orElseThrow()).isEqualTo(sample);
    }

    /** The IPv6 shapes of http.completed / http.failed (UEFI HTTPv6 Boot): {@code ipv6} set, {@code ip} absent. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"http.completed", "http.failed"})
    void httpOverIpv6WireJsonIsPinned(String wireName) throws IOException {
        BootEvent sample = wireName.equals("http.completed")
                ? new HttpEvents.Completed(EventJsonTest.ID, EventJsonTest.T, EventJsonTest.SRC, EventJsonTest.MAC, null,
                "ipxe.efi", 1_048_576, 95, "fd77::100")
                : new HttpEvents.Failed(EventJsonTest.ID, EventJsonTest.T, EventJsonTest.SRC, null, null,
                "nope.efi", 404, "no such boot file", "fd77::100");
        pin(wireName + ".ipv6.json", new String(EventJson.encode(sample), StandardCharsets.UTF_8));
        String pinned = Files.readString(DIR.resolve(wireName + ".ipv6.json")).strip();
        assertThat(EventJson.decodeEvent(pinned.getBytes(StandardCharsets.UTF_8)).orElseThrow()).isEqualTo(sample);
    }

    /** The values on chainboot.leases: a DHCPv4 lease ({@code ip}) and a DHCPv6 IA_NA lease ({@code ipv6}). */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"lease.json", "lease.ipv6.json"})
    void leaseWireJsonIsPinned(String file) throws IOException {
        Lease sample = file.equals("lease.json")
                ? new Lease(EventJsonTest.IP, EventJsonTest.MAC, EventJsonTest.T.plusSeconds(3600), "pc-01")
                : new Lease(null, EventJsonTest.MAC, EventJsonTest.T.plusSeconds(3600), null, "fd77::100");
        pin(file, new String(EventJson.encode(sample), StandardCharsets.UTF_8));
        String pinned = Files.readString(DIR.resolve(file)).strip();
        assertThat(EventJson.decodeLease(pinned.getBytes(StandardCharsets.UTF_8)).orElseThrow()).isEqualTo(sample);
    }

    private static void pin(String file, String encoded) throws IOException {
        Path golden = DIR.resolve(file);
        if (Boolean.getBoolean("golden.write")) {
            Files.writeString(golden, encoded + "\n");
        }
        assertThat(golden).as("golden file " + file).isRegularFile();
        assertThat(encoded).isEqualTo(Files.readString(golden).strip());
    }
}
