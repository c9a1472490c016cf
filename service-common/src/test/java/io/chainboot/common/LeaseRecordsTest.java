package io.chainboot.common;

import io.chainboot.events.EventJson;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The lease view's lookups, DHCPv4 and DHCPv6, on records keyed the way dhcp-service writes them ({@link Lease#key()}). */
class LeaseRecordsTest {
    private static final MacAddress V4_MAC = MacAddress.parse("52:54:00:00:00:04");
    private static final MacAddress V6_MAC = MacAddress.parse("52:54:00:00:00:06");
    private static final Instant EXPIRY = Instant.parse("2026-12-03T13:00:00Z");
    private final LeaseRecords records = new LeaseRecords();

    private void publish(Lease lease) {
        records.put(lease.key(), EventJson.encode(lease), 0);
    }

    private static InetAddress addr(String text) {
        return Addresses.literal(text).orElseThrow();
    }

    @Test
    void findsDhcpv4AndDhcpv6LeasesByTheAddressASocketReports() {
        publish(new Lease(Ipv4Address.parse("10.77.0.100"), V4_MAC, EXPIRY, "pc-01"));
        publish(Lease.ofIpv6((Inet6Address) addr("fd77::100"), V6_MAC, EXPIRY));

        assertThat(records.macOf(addr("10.77.0.100"))).contains(V4_MAC);
        assertThat(records.macOf(addr("::ffff:10.77.0.100"))).as("IPv4-mapped, as a dual-stack socket reports it").contains(V4_MAC);
        assertThat(records.macOf(addr("fd77:0:0:0:0:0:0:100"))).as("Java's long form").contains(V6_MAC);
        assertThat(records.macOf(addr("[FD77::100]"))).contains(V6_MAC);
        assertThat(records.byIpv6((Inet6Address) addr("fd77::100")).orElseThrow().ipv6()).isEqualTo("fd77::100");
        assertThat(records.macOf(addr("fd77::101"))).isEmpty();
        assertThat(records.macOf(addr("10.77.0.101"))).isEmpty();
        assertThat(records.macOf((InetAddress) null)).isEmpty();
    }

    @Test
    void aTombstoneRemovesTheLease() {
        Lease v6 = Lease.ofIpv6((Inet6Address) addr("fd77::100"), V6_MAC, EXPIRY);
        publish(v6);
        records.remove(v6.key());
        assertThat(records.macOf(addr("fd77::100"))).isEmpty();
        assertThat(records.size()).isZero();
    }

    @Test
    void aBadRecordIsNoLease() {
        records.put("fd77::100", "{\"ipv6\":\"fd77::100\"}".getBytes(StandardCharsets.UTF_8), 0);
        assertThat(records.macOf(addr("fd77::100"))).isEmpty();
    }

    @Test
    void literalsParseWithoutLookingAnythingUp() {
        assertThat(Addresses.literal("fe80::5054:ff:fe12:3456%eth0")).map(InetAddress::getHostAddress).contains("fe80:0:0:0:5054:ff:fe12:3456");
        assertThat(Addresses.literal("10.77.0.100")).containsInstanceOf(java.net.Inet4Address.class);
        assertThat(Addresses.literal("::ffff:10.77.0.100")).containsInstanceOf(java.net.Inet4Address.class);
        assertThat(Addresses.ipv4Mapped((Inet6Address) addr("fd77::100"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "pc-01.example", "10.77.0", "010.77.0.1", "fd77::g", "[fd77::1", "pc:01", "zz::1"})
    void notALiteralIsEmpty(String text) {
        assertThat(Addresses.literal(text)).isEmpty();
    }
}
