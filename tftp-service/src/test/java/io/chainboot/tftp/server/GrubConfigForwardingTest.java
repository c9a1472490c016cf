package io.chainboot.tftp.server;

import com.sun.net.httpserver.HttpServer;
import io.chainboot.events.EventSource;
import io.chainboot.events.TftpEvents;
import io.chainboot.common.testing.Eventually;
import io.chainboot.tftp.codec.TftpPacket;
import io.chainboot.tftp.transfer.OptionLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Secure Boot path's GRUB configurations: {@code grub/grub.cfg*} read requests answered with what
 * script-service's {@code /grub/} gives (a JDK HTTP server stands in for it), and the optional files boot
 * loaders probe for: ERROR 1 without a {@code tftp.failed}.
 */
class GrubConfigForwardingTest {
    @TempDir
    Path root;
    HttpServer script;
    final List<String> asked = new CopyOnWriteArrayList<>();
    final RecordingFixture fx = new RecordingFixture();

    static final class RecordingFixture {
        io.chainboot.common.testing.RecordingPublisher events = new io.chainboot.common.testing.RecordingPublisher();
        TftpServer server;
        InetSocketAddress address;
    }

    @BeforeEach
    void start() throws Exception {
        script = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        script.createContext("/grub/", ex -> {
            asked.add(ex.getRequestURI().toString());
            String path = ex.getRequestURI().getPath();
            byte[] body = ("config for " + path + "\n").getBytes(StandardCharsets.UTF_8);
            int status = path.endsWith("grub.cfg-52:54:00:00:00:09") ? 500 : 200;
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        script.start();
        URI url = URI.create("http://127.0.0.1:" + script.getAddress().getPort() + "/grub/");
        TftpSettings s = new TftpSettings(new InetSocketAddress("127.0.0.1", 0), root, new OptionLimits(1468, 64, 300), 3, 500,
                2, true, Optional.of(url), Set.of("revocations_sbat.efi", "grub/x86_64-efi/fs.lst"));
        fx.server = new TftpServer(s, fx.events, new io.chainboot.tftp.FixedLeases(), new EventSource("tftp-service", "test"),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        fx.address = fx.server.start();
    }

    @AfterEach
    void stop() {
        fx.server.close();
        script.stop(0);
    }

    byte[] download(String name) throws Exception {
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq(name, Map.of());
            TftpPacket first = c.receive();
            assertThat(first).as(name).isInstanceOf(TftpPacket.Data.class);
            return c.download(first, 512, -1);
        }
    }

    @Test
    void theStubAndAMachinesFileComeFromScriptServiceWithTheClientsAddress() throws Exception {
        assertThat(new String(download("/grub/grub.cfg"), StandardCharsets.UTF_8)).isEqualTo("config for /grub/grub.cfg\n");
        assertThat(new String(download("grub/grub.cfg-52:54:00:77:0f:04"), StandardCharsets.UTF_8))
                .isEqualTo("config for /grub/grub.cfg-52:54:00:77:0f:04\n");
        assertThat(asked).containsExactly("/grub/grub.cfg?ip=127.0.0.1", "/grub/grub.cfg-52:54:00:77:0f:04?ip=127.0.0.1");
        Eventually.until(() -> fx.events.of(TftpEvents.Completed.class).size() == 2, "two completed events");
        assertThat(fx.events.of(TftpEvents.Completed.class)).extracting(TftpEvents.Completed::file)
                .containsExactly("grub/grub.cfg", "grub/grub.cfg-52:54:00:77:0f:04");
    }

    @Test
    void otherNamesUnderGrubAreFilesOfTheRoot() throws Exception {
        java.nio.file.Files.createDirectories(root.resolve("grub"));
        java.nio.file.Files.writeString(root.resolve("grub/font.pf2"), "font");
        assertThat(new String(download("grub/font.pf2"), StandardCharsets.UTF_8)).isEqualTo("font");
        assertThat(asked).isEmpty();
    }

    @Test
    void aFailedFetchIsFileNotFoundWithScriptServicesAnswerAsTheReason() throws Exception {
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("grub/grub.cfg-52:54:00:00:00:09", Map.of());
            assertThat(c.receive()).isInstanceOfSatisfying(TftpPacket.Error.class, e -> assertThat(e.rawCode()).isEqualTo(1));
        }
        Eventually.until(() -> !fx.events.of(TftpEvents.Failed.class).isEmpty(), "failed event");
        assertThat(fx.events.of(TftpEvents.Failed.class).get(0).reason())
                .isEqualTo("script-service: script-service answered 500 for /grub/grub.cfg-52:54:00:00:00:09");
    }

    @Test
    void aMissingOptionalFileIsFileNotFoundWithoutAFailedEventButAnotherMissingFileHasOne() throws Exception {
        for (String name : new String[]{"revocations_sbat.efi", "/grub/x86_64-efi/fs.lst", "no-such.efi"}) {
            try (TestClient c = new TestClient(fx.address)) {
                c.rrq(name, Map.of());
                assertThat(c.receive()).as(name).isInstanceOfSatisfying(TftpPacket.Error.class,
                        e -> assertThat(e.rawCode()).isEqualTo(1));
            }
        }
        Eventually.until(() -> !fx.events.of(TftpEvents.Failed.class).isEmpty(), "failed event");
        Thread.sleep(200);
        assertThat(fx.events.of(TftpEvents.Failed.class)).extracting(TftpEvents.Failed::file).containsExactly("no-such.efi");
    }
}
