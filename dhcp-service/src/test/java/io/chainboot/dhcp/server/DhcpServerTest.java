package io.chainboot.dhcp.server;

import io.chainboot.common.testing.FixedMachines;
import io.chainboot.dhcp.Requests;
import io.chainboot.dhcp.codec.DhcpCodec;
import io.chainboot.dhcp.codec.DhcpPacket;
import io.chainboot.dhcp.codec.MessageType;
import io.chainboot.events.BootEvent;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The socket adapter on loopback: bad datagrams are counted and dropped, and the server keeps answering. */
class DhcpServerTest {
    static final Ipv4Address LOOPBACK = Ipv4Address.parse("127.0.0.1");

    @TempDir
    Path state;

    @Test
    void malformedPacketsAreCountedDroppedAndTheServerKeepsAnswering() throws Exception {
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            client.setSoTimeout(5000);
            DhcpSettings base = DhcpResponderTest.settings(Mode.FULL, Optional.empty());
            DhcpSettings s = new DhcpSettings(Mode.FULL, InetAddress.getByName("127.0.0.1"), 0, 0, client.getLocalPort(),
                    LOOPBACK, base.pool(), Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofMinutes(10), state, false,
                    base.boot(), 0, 0, false);
            List<BootEvent> events = new ArrayList<>();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (DhcpServer server = new DhcpServer(s, new FixedMachines(), new EventSource("dhcp-service", "t"),
                    events::add, LeaseSink.NONE, registry)) {
                InetSocketAddress to = server.start();
                List<byte[]> bad = new ArrayList<>();
                bad.add(new byte[0]);
                bad.add(new byte[100]);
                byte[] good = DhcpCodec.encode(inform());
                byte[] badLength = good.clone();
                badLength[241] = (byte) 200; // option 53's length runs past the end
                bad.add(badLength);
                byte[] loop = Arrays.copyOf(good, 300);
                loop[240] = 52;
                loop[241] = 1;
                loop[242] = 1;
                loop[243] = (byte) 255;
                loop[108] = 52;
                loop[109] = 1;
                loop[110] = 2;
                bad.add(loop);
                byte[] flood = new byte[1400];
                System.arraycopy(good, 0, flood, 0, 240);
                for (int i = 240; i + 1 < flood.length; i += 2) {
                    flood[i] = (byte) 200;
                }
                bad.add(flood);
                Random rnd = new Random(42);
                for (int i = 0; i < 20; i++) {
                    byte[] junk = new byte[rnd.nextInt(600)];
                    rnd.nextBytes(junk);
                    bad.add(junk);
                }
                for (byte[] b : bad) {
                    client.send(new DatagramPacket(b, b.length, to));
                }
                client.send(new DatagramPacket(good, good.length, to));
                byte[] buf = new byte[1500];
                DatagramPacket reply = new DatagramPacket(buf, buf.length);
                client.receive(reply);
                DhcpPacket ack = DhcpCodec.decode(buf, 0, reply.getLength()).orElseThrow();
                assertThat(ack.messageType()).contains(MessageType.ACK);
                assertThat(server.metrics().malformed()).isGreaterThanOrEqualTo(bad.size() - 1.0); // random bytes may decode
                assertThat(registry.get("chainboot.dhcp.dropped").tag("reason", "malformed").counter().count())
                        .isEqualTo(server.metrics().malformed());
            }
        }
    }

    @Test
    void rateLimitsDropAndCount() throws Exception {
        RateLimiter r = new RateLimiter(2, 3);
        MacAddress a = MacAddress.parse("02:00:00:00:00:01");
        MacAddress b = MacAddress.parse("02:00:00:00:00:02");
        long t = 1_000_000_000L;
        assertThat(r.admit(a, t)).isEqualTo(RateLimiter.Verdict.ADMIT);
        assertThat(r.admit(a, t)).isEqualTo(RateLimiter.Verdict.ADMIT);
        assertThat(r.admit(a, t)).isEqualTo(RateLimiter.Verdict.PER_MAC);
        assertThat(r.admit(b, t)).isEqualTo(RateLimiter.Verdict.ADMIT);
        assertThat(r.admit(b, t)).isEqualTo(RateLimiter.Verdict.GLOBAL);
        assertThat(r.admit(a, t + 1_000_000_000L)).isEqualTo(RateLimiter.Verdict.ADMIT);
        assertThat(new RateLimiter(0, 0).admit(a, t)).isEqualTo(RateLimiter.Verdict.ADMIT);
    }

    static DhcpPacket inform() {
        return Requests.request(MacAddress.parse("52:54:00:00:00:09"), MessageType.INFORM, LOOPBACK, Ipv4Address.ANY,
                Requests.none());
    }
}
