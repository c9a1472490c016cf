package io.chainboot.dhcp;

import io.chainboot.common.testing.Eventually;
import io.chainboot.common.Listeners;
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

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Quarkus service with {@code chainboot.dhcp.ha.enabled} (instance 0 of 2) on a real broker:
 * it becomes ready only after reading {@code chainboot.leases} (readiness {@code dhcp-lease-view}),
 * writes its heartbeat on {@code chainboot.dhcp-ha}, and an address of its share is published with
 * the potential expiry (lease time) while the first grant is MCLT long (docs/dhcp-ha.md).
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@TestProfile(HaOnRealBrokerTest.HaInstanceZero.class)
class HaOnRealBrokerTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:be:ef:20");
    /** Share 0 of the relayed pool 127.0.0.100-127.0.0.200 is .100-.149. */
    static final Ipv4Address IP = Ipv4Address.parse("127.0.0.130");
    static final Ipv4Address SERVER = Ipv4Address.parse("127.0.0.1");

    public static class HaInstanceZero implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.ofEntries(Map.entry("chainboot.dhcp.enabled", "true"),
                        Map.entry("chainboot.dhcp.mode", "full"),
                        Map.entry("chainboot.dhcp.bind-address", "127.0.0.1"),
                        Map.entry("chainboot.dhcp.port", "0"),
                        Map.entry("chainboot.dhcp.server-address", "127.0.0.1"),
                        Map.entry("chainboot.dhcp.script-url", "http://127.0.0.1:18081/boot.ipxe"),
                        Map.entry("chainboot.dhcp.state-dir", Files.createTempDirectory("cb-dhcp-ha-state").toString()),
                        Map.entry("chainboot.dhcp.pool.start", "10.77.0.100"),
                        Map.entry("chainboot.dhcp.pool.end", "10.77.0.200"),
                        Map.entry("chainboot.dhcp.pool.subnet-mask", "255.255.255.0"),
                        Map.entry("chainboot.dhcp.relay-pools", "127.0.0.100-127.0.0.200/8"),
                        Map.entry("chainboot.dhcp.router-advertisements", "off"),
                        Map.entry("chainboot.dhcp.ha.enabled", "true"),
                        Map.entry("chainboot.dhcp.ha.index", "0"),
                        Map.entry("chainboot.dhcp.ha.mclt", "2m"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Inject
    DhcpService service;

    @Inject
    Listeners listeners;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void readyAfterTheLeaseViewHeartbeatsAndPublishesThePotentialExpiry() throws Exception {
        Eventually.until(listeners::allBound, "dhcp and dhcp-lease-view bound", Duration.ofSeconds(60));
        assertThat(listeners.call().getData().orElseThrow()).containsKey(DhcpService.LEASE_VIEW);
        InetSocketAddress to = service.server().boundAddress();
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ConsumerConfig.GROUP_ID_CONFIG, "dhcp-ha-test-" + UUID.randomUUID(),
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                     new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.LEASES, Topics.DHCP_HA));
            ConsumerRecord<String, byte[]> beat = LeasesOnRealBrokerTest.next(consumer, r -> r.topic().equals(Topics.DHCP_HA));
            assertThat(beat.key()).isEqualTo("dhcp-0");
            Instant sent = Instant.now();
            LeasesOnRealBrokerTest.send(client, to, Requests.request(MAC, MessageType.REQUEST, Ipv4Address.ANY, SERVER,
                    o -> o.ip(OptionCode.REQUESTED_IP, IP)));
            ConsumerRecord<String, byte[]> put = LeasesOnRealBrokerTest.next(consumer,
                    r -> r.topic().equals(Topics.LEASES) && IP.toString().equals(r.key()) && r.value() != null);
            Lease lease = EventJson.decodeLease(put.value()).orElseThrow();
            assertThat(lease.mac()).isEqualTo(MAC);
            // published: the potential expiry, the whole lease time (1h), not the 2-minute first grant
            assertThat(lease.expiresAt()).isAfter(sent.plus(Duration.ofMinutes(59)));
        }
    }
}
