package io.chainboot.script.assets;

import io.chainboot.common.testing.Eventually;
import io.chainboot.common.testing.RecordingPublisher;
import io.chainboot.events.HttpEvents;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.script.testing.FixedLeases;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * /boot-files, what UEFI HTTP Boot firmware fetches, with curl as the client: the file's bytes, HEAD
 * (OVMF's size probe) without an event, one {@code http.completed} per whole GET with the MAC from
 * the lease table, {@code http.failed} for a missing file, nothing outside the directory.
 */
@QuarkusTest
class BootFileRouteTest {
    static final Path ROOT = Path.of("target/test-boot-files");
    static final MacAddress MAC = MacAddress.parse("52:54:00:77:0f:01");
    static byte[] loader;

    @TestHTTPResource("/boot-files/")
    URL base;
    @Inject
    RecordingPublisher events;
    @Inject
    FixedLeases leases;

    @BeforeAll
    static void files() throws Exception {
        Files.createDirectories(ROOT);
        loader = new byte[1024 * 1024 + 3];
        new Random(7).nextBytes(loader);
        Files.write(ROOT.resolve("ipxe.efi"), loader);
        Files.writeString(Path.of("target/outside.efi"), "outside");
    }

    @BeforeEach
    void reset() {
        events.clear();
        leases.clear();
        leases.put(Ipv4Address.parse("127.0.0.1"), MAC);
    }

    @Test
    void aWholeGetDeliversTheLoaderAndPublishesHttpCompletedWithTheLeasedMac() throws Exception {
        assertThat(AssetRouteTest.curl(base + "ipxe.efi")).isEqualTo(loader);
        List<HttpEvents.Completed> done = await(HttpEvents.Completed.class);
        assertThat(done).hasSize(1);
        assertThat(done.get(0).mac()).isEqualTo(MAC);
        assertThat(done.get(0).ip()).isEqualTo(Ipv4Address.parse("127.0.0.1"));
        assertThat(done.get(0).file()).isEqualTo("ipxe.efi");
        assertThat(done.get(0).bytes()).isEqualTo(loader.length);
    }

    /** Proxy mode: no lease of ours; dhcp-service's URL names the machine. */
    @Test
    void withoutALeaseTheMacComesFromTheUrl() throws Exception {
        leases.clear();
        assertThat(AssetRouteTest.curl(base + "ipxe.efi?mac=52-54-00-77-0f-02")).isEqualTo(loader);
        List<HttpEvents.Completed> done = await(HttpEvents.Completed.class);
        assertThat(done).hasSize(1);
        assertThat(done.get(0).mac()).isEqualTo(MacAddress.parse("52:54:00:77:0f:02"));
        assertThat(done.get(0).file()).isEqualTo("ipxe.efi");
        events.clear();
        assertThat(AssetRouteTest.curl(base + "ipxe.efi?mac=not-a-mac")).isEqualTo(loader);
        assertThat(await(HttpEvents.Completed.class).get(0).mac()).as("a bad mac parameter is ignored").isNull();
    }

    @Test
    void headAndRangesAreNotADelivery() throws Exception {
        String head = new String(AssetRouteTest.curl("-I", base + "ipxe.efi"));
        assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: " + loader.length);
        assertThat(AssetRouteTest.status("-r", "0-99", base + "ipxe.efi")).isEqualTo("206");
        Thread.sleep(300);
        assertThat(events.events()).isEmpty();
    }

    @Test
    void aMissingFileIs404AndHttpFailedKeyedByIpWithoutALease() throws Exception {
        leases.clear();
        assertThat(AssetRouteTest.status(base + "snponly.efi")).isEqualTo("404");
        List<HttpEvents.Failed> failed = await(HttpEvents.Failed.class);
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).mac()).isNull();
        assertThat(failed.get(0).key()).isEqualTo("127.0.0.1");
        assertThat(failed.get(0).file()).isEqualTo("snponly.efi");
        assertThat(failed.get(0).status()).isEqualTo(404);
        assertThat(failed.get(0).reason()).isEqualTo("no such boot file");
    }

    @Test
    void nothingOutsideTheDirectory() throws Exception {
        assertThat(AssetRouteTest.status(base + "../outside.efi")).isEqualTo("404");
        assertThat(AssetRouteTest.status(base + "%2e%2e/outside.efi")).isEqualTo("404");
        assertThat(events.of(HttpEvents.Completed.class)).isEmpty();
    }

    <T extends io.chainboot.events.BootEvent> List<T> await(Class<T> type) throws InterruptedException {
        Eventually.until(() -> !events.of(type).isEmpty(), "a " + type.getSimpleName() + " event", Duration.ofSeconds(5));
        return events.of(type);
    }
}
