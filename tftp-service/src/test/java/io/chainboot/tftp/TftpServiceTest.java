package io.chainboot.tftp;

import io.chainboot.events.TftpEvents;
import io.chainboot.common.testing.Eventually;
import io.chainboot.common.testing.RecordingPublisher;
import io.chainboot.tftp.server.TftpServer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** The service wiring: config mapping, listener in readiness, events through the publisher bean, metrics. */
@QuarkusTest
class TftpServiceTest {
    @Inject
    TftpService service;
    @Inject
    RecordingPublisher events;

    @Test
    void listenerIsBoundAndReady() {
        given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"))
                .body(containsString("bound udp 127.0.0.1:"));
    }

    @Test
    void servesAFileAndPublishesKeyedByMac() throws Exception {
        TftpServer server = service.server();
        assertThat(server).isNotNull();
        Path root = Path.of("target/tftp-quarkus-root");
        Files.write(root.resolve("hello.txt"), "hello".getBytes());
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(4000);
            byte[] rrq = "\0\u0001hello.txt\0octet\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            s.send(new DatagramPacket(rrq, rrq.length, server.boundAddress()));
            byte[] buf = new byte[600];
            DatagramPacket dp = new DatagramPacket(buf, buf.length);
            s.receive(dp);
            assertThat(dp.getLength()).isEqualTo(4 + 5);
            assertThat(new String(buf, 4, 5)).isEqualTo("hello");
            byte[] ack = {0, 4, 0, 1};
            s.send(new DatagramPacket(ack, 4, dp.getSocketAddress()));
        }
        Eventually.until(() -> !events.of(TftpEvents.Completed.class).isEmpty(), "tftp.completed published");
        TftpEvents.Completed done = events.of(TftpEvents.Completed.class).get(0);
        assertThat(done.mac()).isEqualTo(FixedLeases.LOOPBACK_MAC);
        assertThat(done.source().service()).isEqualTo("tftp-service");
        given().get("/q/metrics").then().statusCode(200).body(containsString("chainboot_tftp_transfers_total{outcome=\"completed\"}"));
    }
}
