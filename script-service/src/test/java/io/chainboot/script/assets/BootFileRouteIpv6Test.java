package io.chainboot.script.assets;

import io.chainboot.common.testing.Eventually;
import io.chainboot.common.testing.RecordingPublisher;
import io.chainboot.events.HttpEvents;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.script.testing.FixedLeases;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /boot-files fetched over IPv6, as UEFI HTTPv6 Boot firmware does, with curl as the client on a dual-stack
 * listener ({@code quarkus.http.host=::}, what {@code ./chainboot up --v6-pool} sets): the MAC comes from the
 * DHCPv6 lease of the client's IPv6 address, the event carries {@code ipv6} and no {@code ip}; without a
 * lease it is keyed by the IPv6 address; an IPv4 client of the same listener is still found by its IPv4 lease.
 */
@QuarkusTest
@TestProfile(BootFileRouteIpv6Test.DualStack.class)
class BootFileRouteIpv6Test {
    static final MacAddress MAC6 = MacAddress.parse("52:54:00:77:0f:06");
    static final MacAddress MAC4 = MacAddress.parse("52:54:00:77:0f:04");
    static byte[] loader;

    public static class DualStack implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.host", "::");
        }
    }

    @Inject
    RecordingPublisher events;
    @Inject
    FixedLeases leases;

    @BeforeAll
    static void files() throws Exception {
        Files.createDirectories(BootFileRouteTest.ROOT);
        loader = new byte[256 * 1024 + 5];
        new Random(6).nextBytes(loader);
        Files.write(BootFileRouteTest.ROOT.resolve("ipxe6.efi"), loader);
    }

    @BeforeEach
    void reset() {
        events.clear();
        leases.clear();
    }

    static String url(String host, String file) {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        return "http://" + host + ":" + port + "/boot-files/" + file;
    }

    @Test
    void aFetchOverIpv6IsNamedByTheDhcpv6LeaseOfItsAddress() throws Exception {
        leases.put6("0:0:0:0:0:0:0:1", MAC6);
        assertThat(AssetRouteTest.curl("-g", "-6", url("[::1]", "ipxe6.efi"))).isEqualTo(loader);
        List<HttpEvents.Completed> done = await(HttpEvents.Completed.class);
        assertThat(done).hasSize(1);
        assertThat(done.get(0).mac()).isEqualTo(MAC6);
        assertThat(done.get(0).ip()).isNull();
        assertThat(done.get(0).ipv6()).isEqualTo("::1");
        assertThat(done.get(0).file()).isEqualTo("ipxe6.efi");
        assertThat(done.get(0).key()).isEqualTo(MAC6.toString());
    }

    @Test
    void withoutADhcpv6LeaseTheEventIsKeyedByTheIpv6Address() throws Exception {
        leases.put(Ipv4Address.parse("127.0.0.1"), MAC4);
        assertThat(AssetRouteTest.status("-g", "-6", url("[::1]", "snponly.efi"))).isEqualTo("404");
        List<HttpEvents.Failed> failed = await(HttpEvents.Failed.class);
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).mac()).isNull();
        assertThat(failed.get(0).ipv6()).isEqualTo("::1");
        assertThat(failed.get(0).key()).isEqualTo("::1");
    }

    @Test
    void anIpv4ClientOfTheDualStackListenerIsFoundByItsIpv4Lease() throws Exception {
        leases.put(Ipv4Address.parse("127.0.0.1"), MAC4);
        leases.put6("::1", MAC6);
        assertThat(AssetRouteTest.curl("-4", url("127.0.0.1", "ipxe6.efi"))).isEqualTo(loader);
        HttpEvents.Completed done = await(HttpEvents.Completed.class).get(0);
        assertThat(done.mac()).isEqualTo(MAC4);
        assertThat(done.ip()).isEqualTo(Ipv4Address.parse("127.0.0.1"));
        assertThat(done.ipv6()).isNull();
    }

    <T extends io.chainboot.events.BootEvent> List<T> await(Class<T> type) throws InterruptedException {
        Eventually.until(() -> !events.of(type).isEmpty(), "a " + type.getSimpleName() + " event", Duration.ofSeconds(5));
        return events.of(type);
    }
}
