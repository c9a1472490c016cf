package io.chainboot.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class EventJsonTest {
    static final UUID ID = UUID.fromString("0b4c6a8e-2f1d-4e1b-9d3c-5a7e9f1b2c3d");
    static final Instant T = Instant.parse("2026-11-22T03:30:00.123Z");
    static final EventSource SRC = new EventSource("dhcp-service", "host-1");
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");
    static final Ipv4Address IP = Ipv4Address.parse("10.77.0.100");

    /** One sample per type; a switch expression, so a new type without a sample does not compile. */
    static BootEvent sample(EventType type) {
        return switch (type) {
            case DHCP_OFFERED -> new DhcpEvents.Offered(ID, T, SRC, MAC, IP, ClientKind.FIRMWARE, 7,
                    "PXEClient:Arch:00007:UNDI:003016", "8a1b0c2d-0000-4000-8000-123456789abc", "ipxe.efi", "full", 3600);
            case DHCP_ACKED -> new DhcpEvents.Acked(ID, T, SRC, MAC, IP, ClientKind.IPXE, 0, null, null,
                    "http://10.77.0.1:8080/boot.ipxe", "full", 3600, "pc-01");
            case DHCP_NAK -> new DhcpEvents.Nak(ID, T, SRC, MAC, null, IP, "address not in pool");
            case DHCP_DECLINED -> new DhcpEvents.Declined(ID, T, SRC, MAC, IP, "in use");
            case DHCP_RELEASED -> new DhcpEvents.Released(ID, T, SRC, MAC, IP);
            case TFTP_STARTED -> new TftpEvents.Started(ID, T, SRC, MAC, IP, "ipxe.efi", 1468, 4, 1_048_576L);
            case TFTP_COMPLETED -> new TftpEvents.Completed(ID, T, SRC, null, IP, "ipxe.efi", 1_048_576, 120, 1468, 4, 1);
            case TFTP_FAILED -> new TftpEvents.Failed(ID, T, SRC, MAC, IP, "nope.efi", "file not found", 0);
            case HTTP_COMPLETED -> new HttpEvents.Completed(ID, T, SRC, MAC, IP, "ipxe.efi", 1_048_576, 95);
            case HTTP_FAILED -> new HttpEvents.Failed(ID, T, SRC, null, IP, "nope.efi", 404, "no such boot file");
            case SCRIPT_RENDERED -> new ScriptEvents.Rendered(ID, T, SRC, MAC, IP, "sanboot", null, "x86_64", "efi", 850, true);
            case SCRIPT_FAILED -> new ScriptEvents.Failed(ID, T, SRC, MAC, IP, "linux", "template error: kernel missing");
            case ISCSI_LOGIN -> new IscsiEvents.Login(ID, T, SRC, MAC, IP, "iqn.2026-01.io.chainboot:initiator:52-54-00-12-34-56",
                    "iqn.2026-01.io.chainboot:pc-01", IscsiEvents.SessionType.NORMAL, 1, "400027230000");
            case ISCSI_LOGIN_REJECTED -> new IscsiEvents.LoginRejected(ID, T, SRC, MAC, IP, "iqn.x:y", "iqn.x:z",
                    "authentication failed", 2, 1);
            case ISCSI_LUN_ATTACHED -> new IscsiEvents.LunAttached(ID, T, SRC, MAC, IP, "iqn.x:y", "iqn.x:z", 0, 131072, 512);
            case ISCSI_LOGOUT -> new IscsiEvents.Logout(ID, T, SRC, MAC, IP, "iqn.x:y", "iqn.x:z", 4096, 512, 1500, "logout");
            case DISK_CREATED -> new DiskEvents.Created(ID, T, SRC, MAC, null, "iqn.x:z", DiskKind.OVERLAY, "win11-golden", 64L << 30);
            case DISK_RESET -> new DiskEvents.Reset(ID, T, SRC, MAC, null, "iqn.x:z", "win11-golden");
            case DISK_PROMOTED -> new DiskEvents.Promoted(ID, T, SRC, MAC, null, "iqn.x:z", "win11-golden-2");
            case MACHINE_REGISTERED -> new MachineEvents.Registered(ID, T, SRC, MAC, IP, null, 7, "PXEClient", null);
            case MACHINE_UPDATED -> new MachineEvents.Updated(ID, T, SRC, MAC, null, spec());
            case BOOT_STALLED -> new BootStalled(ID, T, SRC, MAC, IP, BootStage.SCRIPT, T.minusSeconds(90), 60, "attempt-7");
        };
    }

    static MachineSpec spec() {
        return new MachineSpec(MAC, null, "pc-01", IP, "sanboot", Map.of("room", "lab-2"), Map.of("keep-san", "1"),
                new MachineSpec.DiskAssignment(DiskKind.OVERLAY, "win11-golden", null),
                new MachineSpec.ChapPolicy(true, false), true, null, T);
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyEventTypeRoundTrips(EventType type) {
        BootEvent event = sample(type);
        byte[] json = EventJson.encode(event);
        String text = new String(json, StandardCharsets.UTF_8);
        assertThat(text).contains("\"type\":\"" + type.wireName() + "\"").contains("\"schema\":1");
        assertThat(EventJson.decodeEvent(json).orElseThrow()).isEqualTo(event);
        assertThat(event.type()).isEqualTo(type);
    }

    @Test
    void wireFormatIsStable() {
        BootEvent event = sample(EventType.DHCP_RELEASED);
        assertThat(new String(EventJson.encode(event), StandardCharsets.UTF_8)).isEqualTo(
                "{\"type\":\"dhcp.released\",\"id\":\"0b4c6a8e-2f1d-4e1b-9d3c-5a7e9f1b2c3d\","
                        + "\"time\":\"2026-11-22T03:30:00.123Z\",\"source\":{\"service\":\"dhcp-service\",\"instance\":\"host-1\"},"
                        + "\"mac\":\"52:54:00:12:34:56\",\"ip\":\"10.77.0.100\",\"schema\":1}");
    }

    @Test
    void keyIsMacThenIp() {
        assertThat(sample(EventType.DHCP_ACKED).key()).isEqualTo("52:54:00:12:34:56");
        assertThat(sample(EventType.TFTP_COMPLETED).key()).isEqualTo("10.77.0.100");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "[]", "null", "{}", "{\"type\":\"dhcp.bogus\"}", "{\"type\":7}",
            "{\"type\":\"dhcp.released\",\"time\":\"2026-11-22T03:30:00Z\"}",
            "{\"type\":\"dhcp.released\",\"id\":\"0b4c6a8e-2f1d-4e1b-9d3c-5a7e9f1b2c3d\",\"time\":\"2026-11-22T03:30:00Z\","
                    + "\"source\":{\"service\":\"a\",\"instance\":\"b\"},\"mac\":\"not-a-mac\"}",
            "{\"type\":\"dhcp.released\",\"schema\":99}",
            "{\"type\":\"dhcp.released\""
    })
    void badInputIsAValue(String json) {
        Decoded<BootEvent> decoded = EventJson.decodeEvent(json.getBytes(StandardCharsets.UTF_8));
        assertThat(decoded).isInstanceOf(Decoded.Invalid.class);
    }

    @Test
    void badMacNamesTheReason() {
        String json = "{\"type\":\"dhcp.released\",\"id\":\"0b4c6a8e-2f1d-4e1b-9d3c-5a7e9f1b2c3d\","
                + "\"time\":\"2026-11-22T03:30:00Z\",\"source\":{\"service\":\"a\",\"instance\":\"b\"},\"mac\":\"zz\"}";
        Decoded<BootEvent> decoded = EventJson.decodeEvent(json.getBytes(StandardCharsets.UTF_8));
        assertThat(((Decoded.Invalid<BootEvent>) decoded).reason()).contains("not a MAC address");
    }

    @Test
    void unknownFieldsFromNewerProducersAreIgnored() {
        String json = "{\"type\":\"dhcp.released\",\"id\":\"0b4c6a8e-2f1d-4e1b-9d3c-5a7e9f1b2c3d\","
                + "\"time\":\"2026-11-22T03:30:00Z\",\"source\":{\"service\":\"a\",\"instance\":\"b\"},\"mac\":\"52:54:00:12:34:56\","
                + "\"future\":{\"x\":1}}";
        assertThat(EventJson.decodeEvent(json.getBytes(StandardCharsets.UTF_8)).isValid()).isTrue();
    }

    @Test
    void aScriptRenderedEventOfAnOlderPublisherDoesNotSayWhetherItAttachesSan() {
        String json = "{\"type\":\"script.rendered\",\"id\":\"0b4c6a8e-2f1d-4e1b-9d3c-5a7e9f1b2c3d\","
                + "\"time\":\"2026-11-22T03:30:00Z\",\"source\":{\"service\":\"a\",\"instance\":\"b\"},"
                + "\"mac\":\"52:54:00:12:34:56\",\"profile\":\"sanboot\",\"durationMicros\":850}";
        BootEvent e = EventJson.decodeEvent(json.getBytes(StandardCharsets.UTF_8)).orElseThrow();
        assertThat(((ScriptEvents.Rendered) e).attachesSan()).isNull();
    }

    @Test
    void machineSpecAndLeaseRoundTrip() {
        MachineSpec spec = spec();
        assertThat(EventJson.decodeMachine(EventJson.encode(spec)).orElseThrow()).isEqualTo(spec);
        Lease lease = new Lease(IP, MAC, T.plusSeconds(3600), "pc-01");
        assertThat(EventJson.decodeLease(EventJson.encode(lease)).orElseThrow()).isEqualTo(lease);
    }

    @Test
    void ipv6LeaseIsKeyedByItsCanonicalAddress() {
        Lease v6 = new Lease(null, MAC, T.plusSeconds(3600), null, "FD77:0:0:0:0:0:0:0100");
        assertThat(v6.ipv6()).isEqualTo("fd77::100");
        assertThat(v6.key()).isEqualTo("fd77::100");
        assertThat(new Lease(IP, MAC, T, null).key()).isEqualTo("10.77.0.100");
        assertThat(EventJson.decodeLease(EventJson.encode(v6)).orElseThrow()).isEqualTo(v6);
        assertThat(new String(EventJson.encode(v6), StandardCharsets.UTF_8)).doesNotContain("\"ip\"").doesNotContain("key");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"mac\":\"52:54:00:12:34:56\",\"expiresAt\":\"2026-11-22T03:30:00Z\"}",
            "{\"ip\":\"10.77.0.100\",\"ipv6\":\"fd77::100\",\"mac\":\"52:54:00:12:34:56\",\"expiresAt\":\"2026-11-22T03:30:00Z\"}",
            "{\"ipv6\":\"pc-01.example\",\"mac\":\"52:54:00:12:34:56\",\"expiresAt\":\"2026-11-22T03:30:00Z\"}",
            "{\"ipv6\":\"10.77.0.100\",\"mac\":\"52:54:00:12:34:56\",\"expiresAt\":\"2026-11-22T03:30:00Z\"}",
            "{\"ipv6\":\"::ffff:10.77.0.100\",\"mac\":\"52:54:00:12:34:56\",\"expiresAt\":\"2026-11-22T03:30:00Z\"}",
            "{\"ipv6\":\"fe80::1%eth0\",\"mac\":\"52:54:00:12:34:56\",\"expiresAt\":\"2026-11-22T03:30:00Z\"}",
            "{\"ipv6\":\"zz::1\",\"mac\":\"52:54:00:12:34:56\",\"expiresAt\":\"2026-11-22T03:30:00Z\"}",
            "{\"ipv6\":\"[fd77::100]\",\"mac\":\"52:54:00:12:34:56\",\"expiresAt\":\"2026-11-22T03:30:00Z\"}",
            "{\"ipv6\":\"fd77::100\",\"expiresAt\":\"2026-11-22T03:30:00Z\"}"
    })
    void badLeasesAreInvalidNotThrown(String json) {
        assertThat(EventJson.decodeLease(json.getBytes(StandardCharsets.UTF_8))).isInstanceOf(Decoded.Invalid.class);
    }

    @Test
    void httpEventOverIpv6WithoutMacIsKeyedByItsAddress() {
        HttpEvents.Completed unknown = new HttpEvents.Completed(ID, T, SRC, null, null, "ipxe.efi", 10, 1, "fd77::100");
        assertThat(unknown.key()).isEqualTo("fd77::100");
        assertThat(new HttpEvents.Completed(ID, T, SRC, MAC, null, "ipxe.efi", 10, 1, "fd77::100").key()).isEqualTo(MAC.toString());
        assertThat(new HttpEvents.Failed(ID, T, SRC, null, null, "x.efi", 404, "no", "fd77::100").key()).isEqualTo("fd77::100");
        assertThat(new String(EventJson.encode(unknown), StandardCharsets.UTF_8)).doesNotContain("key");
    }

    @Test
    void machineSpecDefaultsAndValidation() {
        MachineSpec minimal = EventJson.decodeMachine("{\"mac\":\"52-54-00-12-34-56\",\"netboot\":true}"
                .getBytes(StandardCharsets.UTF_8)).orElseThrow();
        assertThat(minimal.labels()).isEmpty();
        assertThat(minimal.chap()).isEqualTo(MachineSpec.ChapPolicy.NONE);
        assertThat(EventJson.decodeMachine("{\"mac\":\"52:54:00:12:34:56\",\"hostname\":\"bad;name\"}"
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(Decoded.Invalid.class);
        assertThat(EventJson.decodeMachine("{\"hostname\":\"pc\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(Decoded.Invalid.class);
    }
}
