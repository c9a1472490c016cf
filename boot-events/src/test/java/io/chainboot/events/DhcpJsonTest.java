package io.chainboot.events;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DhcpJson} writes exactly Jackson's bytes for dhcp.offered, dhcp.acked and leases: random values
 * (every nullable field null or set, instants with and without fractions, text that Jackson escapes), each
 * compared byte for byte with {@link EventJson#encodeWithJackson}. The golden files pin the same in
 * {@link GoldenEventsTest}.
 */
class DhcpJsonTest {
    private static final String[] TEXT = {"", "PXEClient:Arch:00000:UNDI:002001", "http://10.0.0.1:8080/boot.ipxe?mac=${mac:hexhyp}",
            "pc-01", "~ !#$%&'()*+,-./0123456789:;<=>?@[]^_`{|}", "quote\"d", "back\\slash", "tab\there", "line\nbreak",
            "\u0001ctl", "caf\u00e9", "\u20ac-sign", "snow\u2603man", "emoji\ud83d\ude00", "del\u007f", "full", "proxy"};

    @Test
    void offeredAckedAndLeasesEncodeToJacksonsBytes() {
        Random r = new Random(20261203);
        int fast = 0;
        for (int i = 0; i < 20_000; i++) {
            Object value = switch (i % 3) {
                case 0 -> new DhcpEvents.Offered(maybe(r, uuid(r)), maybe(r, instant(r)), maybe(r, source(r)), maybe(r, mac(r)),
                        maybe(r, ip(r)), maybe(r, kind(r)), maybe(r, r.nextInt(40)), text(r), text(r), text(r), text(r),
                        r.nextLong(), text(r));
                case 1 -> new DhcpEvents.Acked(maybe(r, uuid(r)), maybe(r, instant(r)), maybe(r, source(r)), maybe(r, mac(r)),
                        maybe(r, ip(r)), maybe(r, kind(r)), maybe(r, r.nextInt()), text(r), text(r), text(r), text(r),
                        r.nextInt(100_000), text(r), text(r));
                default -> r.nextBoolean()
                        ? new Lease(ip(r), mac(r), instant(r), text(r))
                        : new Lease(null, mac(r), instant(r), text(r), r.nextBoolean() ? "fd77::" + Integer.toHexString(r.nextInt(65536)) : "::");
            };
            String jackson = new String(EventJson.encodeWithJackson(value), StandardCharsets.UTF_8);
            byte[] direct = DhcpJson.encode(value);
            if (direct != null) {
                fast++;
                assertThat(new String(direct, StandardCharsets.UTF_8)).as("%s", value).isEqualTo(jackson);
            }
            byte[] encoded = value instanceof Lease l ? EventJson.encode(l) : EventJson.encode((BootEvent) value);
            assertThat(new String(encoded, StandardCharsets.UTF_8)).as("%s", value).isEqualTo(jackson);
        }
        assertThat(fast).as("values written directly (the rest needed escaping: Jackson)").isGreaterThan(3_000).isLessThan(20_000);
    }

    @Test
    void textJacksonWouldEscapeIsLeftToJackson() {
        DhcpEvents.Acked acked = new DhcpEvents.Acked(EventJsonTest.ID, EventJsonTest.T, EventJsonTest.SRC, EventJsonTest.MAC,
                EventJsonTest.IP, ClientKind.OS, null, "MSFT 5.0", null, null, "full", 3600, "pc\"01");
        assertThat(DhcpJson.encode(acked)).isNull();
        assertThat(new String(EventJson.encode(acked), StandardCharsets.UTF_8)).contains("\"hostname\":\"pc\\\"01\"");
        assertThat(DhcpJson.encode(new EventSource("a", "b"))).as("not a DHCP record").isNull();
    }

    private static <T> T maybe(Random r, T value) {
        return r.nextInt(5) == 0 ? null : value;
    }

    private static String text(Random r) {
        return r.nextInt(3) == 0 ? null : TEXT[r.nextInt(TEXT.length)] + (r.nextBoolean() ? "" : Integer.toString(r.nextInt(1000)));
    }

    private static UUID uuid(Random r) {
        return new UUID(r.nextLong(), r.nextLong());
    }

    private static Instant instant(Random r) {
        long seconds = 1_700_000_000L + r.nextInt(200_000_000);
        return switch (r.nextInt(4)) {
            case 0 -> Instant.ofEpochSecond(seconds);
            case 1 -> Instant.ofEpochSecond(seconds, r.nextInt(1000) * 1_000_000L);
            case 2 -> Instant.ofEpochSecond(seconds, r.nextInt(1_000_000) * 1_000L);
            default -> Instant.ofEpochSecond(seconds, r.nextInt(1_000_000_000));
        };
    }

    private static EventSource source(Random r) {
        String s = TEXT[r.nextInt(TEXT.length)];
        return new EventSource(r.nextBoolean() ? "dhcp-service" : s, r.nextBoolean() ? "host-1" : s);
    }

    private static MacAddress mac(Random r) {
        return new MacAddress(r.nextLong() & 0xFFFF_FFFF_FFFFL);
    }

    private static Ipv4Address ip(Random r) {
        return new Ipv4Address(r.nextInt());
    }

    private static ClientKind kind(Random r) {
        return ClientKind.values()[r.nextInt(ClientKind.values().length)];
    }
}
