package io.chainboot.dhcp;

import io.chainboot.common.testing.Eventually;
import io.chainboot.dhcp.codec.DhcpCodec;
import io.chainboot.dhcp.codec.DhcpPacket;
import io.chainboot.dhcp.codec.MessageType;
import io.chainboot.dhcp.codec.OptionCode;
import io.chainboot.events.EventJson;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;
import io.chainboot.events.Topics;
import io.chainboot.infra.testing.KafkaResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Quarkus service in full mode on loopback with a real Kafka broker: an ACK puts the lease on
 * the compacted {@code chainboot.leases} topic (key = IP, value = Lease JSON), a RELEASE tombstones it.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@TestProfile(LeasesOnRealBrokerTest.FullModeOnLoopback.class)
class LeasesOnRealBrokerTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:be:ef:01");
    /** In the relayed pool of 127.0.0.0/8 (the relay agent, giaddr, is 127.0.0.1). */
    static final Ipv4Address IP = Ipv4Address.parse("127.0.0.120");
    static final Ipv4Address SERVER = Ipv4Address.parse("127.0.0.1");

    public static class FullModeOnLoopback implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                // relayed requests are served from the pool of giaddr's subnet (RFC 2131 §4.3.1): relay-pools
                return Map.ofEntries(Map.entry("chainboot.dhcp.enabled", "true"),
                        Map.entry("chainboot.dhcp.mode", "full"),
                        Map.entry("chainboot.dhcp.bind-address", "127.0.0.1"),
                        Map.entry("chainboot.dhcp.port", "0"),
                        Map.entry("chainboot.dhcp.server-address", "127.0.0.1"),
                        Map.entry("chainboot.dhcp.script-url", "http://127.0.0.1:18081/boot.ipxe"),
                        Map.entry("chainboot.dhcp.state-dir", Files.createTempDirectory("cb-dhcp-state").toString()),
                        Map.entry("chainboot.dhcp.pool.start", "10.77.0.100"),
                        Map.entry("chainboot.dhcp.pool.end", "10.77.0.200"),
                        Map.entry("chainboot.dhcp.pool.subnet-mask", "255.255.255.0"),
                        Map.entry("chainboot.dhcp.relay-pools", "127.0.0.100-127.0.0.200/8"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Inject
    DhcpService service;

    @Inject
    io.chainboot.common.MachineDirectory machines;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void ackPublishesTheLeaseAndReleaseTombstonesIt() throws Exception {
        InetSocketAddress to = service.server().boundAddress();
        // ready means ready: nothing is answered before the machine view has read chainboot.machines
        Eventually.until(machines::loaded, "machine view loaded from the real broker", Duration.ofSeconds(60));
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ConsumerConfig.GROUP_ID_CONFIG, "dhcp-test-" + UUID.randomUUID(),
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                     new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.LEASES));
            // INIT-REBOOT for an address of the relayed pool, relayed (giaddr) so the reply stays on loopback
            send(client, to, Requests.request(MAC, MessageType.REQUEST, Ipv4Address.ANY, SERVER,
                    o -> o.ip(OptionCode.REQUESTED_IP, IP)));
            ConsumerRecord<String, byte[]> put = next(consumer, r -> r.value() != null);
            assertThat(put.key()).isEqualTo(IP.toString());
            Lease lease = EventJson.decodeLease(put.value()).orElseThrow();
            assertThat(lease.mac()).isEqualTo(MAC);
            assertThat(lease.ip()).isEqualTo(IP);

            send(client, to, Requests.request(MAC, MessageType.RELEASE, IP, Ipv4Address.ANY,
                    o -> o.ip(OptionCode.SERVER_ID, SERVER)));
            ConsumerRecord<String, byte[]> tombstone = next(consumer, r -> r.value() == null);
            assertThat(tombstone.key()).isEqualTo(IP.toString());
        }
    }

    static void send(DatagramSocket s, InetSocketAddress to, DhcpPacket p) throws java.io.IOException {
        byte[] b = DhcpCodec.encode(p);
        s.send(new DatagramPacket(b, b.length, to));
    }

    static ConsumerRecord<String, byte[]> next(KafkaConsumer<String, byte[]> c,
                                               java.util.function.Predicate<ConsumerRecord<String, byte[]>> p) {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                if (p.test(r)) {
                    return r;
                }
            }
        }
        throw new AssertionError("no matching record on " + Topics.LEASES);
    }

}
