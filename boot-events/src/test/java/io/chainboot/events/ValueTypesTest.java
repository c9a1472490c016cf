package io.chainboot.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueTypesTest {

    @ParameterizedTest
    @ValueSource(strings = {"52:54:00:12:34:56", "52-54-00-12-34-56", "525400123456", "5254.0012.3456", "52:54:00:12:34:56 ", "52:54:00:12:34:56"})
    void macSpellingsAreOneValue(String text) {
        MacAddress mac = MacAddress.parse(text);
        assertThat(mac.toString()).isEqualTo("52:54:00:12:34:56");
        assertThat(mac.toHyphenated()).isEqualTo("52-54-00-12-34-56");
        assertThat(mac.toHex()).isEqualTo("525400123456");
        assertThat(MacAddress.of(mac.toBytes())).isEqualTo(mac);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "52:54:00:12:34", "52:54:00:12:34:56:78", "52:54-00:12:34:56", "5:254:00:12:34:56",
            "g2:54:00:12:34:56", "52:54:00:12:34:5;", "52545400123456"})
    void badMacsAreRejected(String text) {
        assertThatThrownBy(() -> MacAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "10.77.0.1", "255.255.255.255", "192.168.1.200"})
    void ipv4RoundTrips(String text) {
        Ipv4Address ip = Ipv4Address.parse(text);
        assertThat(ip.toString()).isEqualTo(text);
        assertThat(Ipv4Address.of(ip.toBytes(), 0)).isEqualTo(ip);
        assertThat(Ipv4Address.of(ip.toInetAddress())).isEqualTo(ip);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "a.b.c.d", "1..2.3", "localhost", "-1.2.3.4"})
    void badIpv4IsRejected(String text) {
        assertThatThrownBy(() -> Ipv4Address.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ipv4OrdersUnsigned() {
        assertThat(Ipv4Address.parse("200.0.0.1")).isGreaterThan(Ipv4Address.parse("10.0.0.1"));
        assertThat(Ipv4Address.parse("10.0.0.255").plus(1)).isEqualTo(Ipv4Address.parse("10.0.1.0"));
    }

    @Test
    void namesAgreeAcrossServices() {
        MacAddress mac = MacAddress.parse("52:54:00:12:34:56");
        String prefix = Names.DEFAULT_IQN_PREFIX;
        assertThat(Names.targetIqn(prefix, mac, "PC-01")).isEqualTo("iqn.2026-01.io.chainboot:pc-01");
        assertThat(Names.targetIqn(prefix, mac, null)).isEqualTo("iqn.2026-01.io.chainboot:52-54-00-12-34-56");
        String initiator = Names.initiatorIqn(prefix, mac);
        assertThat(initiator).isEqualTo("iqn.2026-01.io.chainboot:initiator:52-54-00-12-34-56");
        assertThat(Names.macOfInitiator(initiator)).contains(mac);
        assertThat(Names.macOfInitiator("iqn.1994-05.com.redhat:abc")).isEmpty();
        String secret = Names.chapSecret("a-cluster-secret", mac);
        assertThat(secret).hasSize(16).isEqualTo(Names.chapSecret("a-cluster-secret", mac))
                .isNotEqualTo(Names.chapSecret("another-secret", mac))
                .isNotEqualTo(Names.mutualChapSecret("a-cluster-secret", mac));
        assertThatThrownBy(() -> Names.chapSecret("short", mac)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Names.initiatorIqn("iqn.bad", mac)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ipv6TextIsRfc5952() throws Exception {
        java.util.function.Function<String, String> f = t -> {
            try {
                return Names.ipv6((java.net.Inet6Address) java.net.InetAddress.getByName(t));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        };
        assertThat(f.apply("fd77:0:0:0:0:0:0:1")).isEqualTo("fd77::1");
        assertThat(f.apply("::")).isEqualTo("::");
        assertThat(f.apply("fe80::5054:ff:fe77:601")).isEqualTo("fe80::5054:ff:fe77:601");
        assertThat(f.apply("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(f.apply("2001:db8:0:1:1:1:1:1")).as("one zero group stays").isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(f.apply("2001:0:0:1:0:0:0:1")).as("the longest run").isEqualTo("2001:0:0:1::1");
        assertThat(f.apply("fd77:213::100")).isEqualTo("fd77:213::100");
        assertThat(f.apply("1::")).isEqualTo("1::");
    }

    @Test
    void ipv6AddressesAreBracketedInUrlsAndIscsiRootPaths() {
        assertThat(Names.uriHost("fd77::1")).isEqualTo("[fd77::1]");
        assertThat(Names.uriHost("[fd77::1]")).isEqualTo("[fd77::1]");
        assertThat(Names.uriHost("10.77.0.1")).isEqualTo("10.77.0.1");
        assertThat(Names.uriHost("boot.example")).isEqualTo("boot.example");
        assertThat(Names.httpUrl("fd77::1", 8081, "/boot.ipxe")).isEqualTo("http://[fd77::1]:8081/boot.ipxe");
        assertThat(Names.iscsiRootPath("fd77::1", 3260, 0, "iqn.2026-01.io.chainboot:pc-01"))
                .isEqualTo("iscsi:[fd77::1]::3260:0:iqn.2026-01.io.chainboot:pc-01");
        assertThat(Names.iscsiRootPath("10.77.0.1", 3260, 0, "iqn.x:y")).isEqualTo("iscsi:10.77.0.1::3260:0:iqn.x:y");
    }
}
