package io.chainboot.dhcp.kafka;

import io.chainboot.dhcp.server.Reply;
import io.chainboot.events.EventJson;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;
import io.chainboot.events.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The chainboot.leases records: key = the IPv4 address or the DHCPv6 lease's IPv6 address (RFC 5952), tombstones alike. */
class KafkaLeasePublisherTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:00:0a:01");
    static final Instant T = Instant.parse("2026-12-03T06:00:00Z");

    @Test
    void dhcpv4AndDhcpv6LeasesAreKeyedByTheirAddress() throws Exception {
        Lease v4 = new Lease(Ipv4Address.parse("10.77.0.100"), MAC, T, null);
        ProducerRecord<String, byte[]> put4 = KafkaLeasePublisher.toRecord(new Reply.LeaseChange.Put(v4));
        assertThat(put4.topic()).isEqualTo(Topics.LEASES);
        assertThat(put4.key()).isEqualTo("10.77.0.100");
        assertThat(KafkaLeasePublisher.toRecord(new Reply.LeaseChange.Remove(v4.ip())).value()).isNull();

        Inet6Address a = (Inet6Address) InetAddress.getByName("fd77:0:0:0:0:0:0:100");
        Lease v6 = Lease.ofIpv6(a, MAC, T);
        ProducerRecord<String, byte[]> put6 = KafkaLeasePublisher.toRecord(new Reply.LeaseChange.Put(v6));
        assertThat(put6.key()).isEqualTo("fd77::100");
        assertThat(EventJson.decodeLease(put6.value()).orElseThrow()).isEqualTo(v6);
        ProducerRecord<String, byte[]> tomb6 = KafkaLeasePublisher.toRecord(new Reply.LeaseChange.RemoveIpv6(a));
        assertThat(tomb6.key()).isEqualTo("fd77::100");
        assertThat(tomb6.value()).isNull();
    }
}
