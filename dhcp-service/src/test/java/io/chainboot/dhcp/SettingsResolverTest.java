package io.chainboot.dhcp;

import io.chainboot.dhcp.lease.Pool;
import io.chainboot.events.Ipv4Address;
import org.junit.jupiter.api.Test;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code chainboot.dhcp.relay-pools} entries: what they mean, and a message naming the key when wrong. */
class SettingsResolverTest {
    static final List<Ipv4Address> DNS = List.of(Ipv4Address.parse("10.77.0.1"));

    @Test
    void aRelayPoolEntryIsARangeAPrefixAndARouter() {
        Pool p = SettingsResolver.relayPool(" 10.78.0.100-10.78.0.200/24@10.78.0.1 ", DNS);
        assertThat(p.start()).isEqualTo(Ipv4Address.parse("10.78.0.100"));
        assertThat(p.end()).isEqualTo(Ipv4Address.parse("10.78.0.200"));
        assertThat(p.subnetMask()).isEqualTo(Ipv4Address.parse("255.255.255.0"));
        assertThat(p.router()).contains(Ipv4Address.parse("10.78.0.1"));
        assertThat(p.dns()).isEqualTo(DNS);
        assertThat(SettingsResolver.relayPool("172.16.4.10-172.16.5.250/22", DNS).router()).isEqualTo(Optional.empty());
        assertThat(SettingsResolver.relayPool("172.16.4.10-172.16.5.250/22", DNS).subnetMask())
                .isEqualTo(Ipv4Address.parse("255.255.252.0"));
    }

    static DhcpConfig config(Map<String, String> props) {
        // Quarkus' own converter reads "30s"/"10m" durations, as in the running service
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(DhcpConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(props, "test", 500)).build();
        return c.getConfigMapping(DhcpConfig.class);
    }

    static Map<String, String> full() {
        Map<String, String> m = new HashMap<>(Map.of("chainboot.dhcp.mode", "full",
                "chainboot.dhcp.server-address", "10.77.0.1", "chainboot.dhcp.pool.start", "10.77.0.100",
                "chainboot.dhcp.pool.end", "10.77.0.200", "chainboot.dhcp.pool.subnet-mask", "255.255.255.0",
                "chainboot.dhcp.pool.dns", "10.77.0.1"));
        m.put("chainboot.dhcp.script-url", "http://10.77.0.1:8081/boot.ipxe");
        return m;
    }

    /** The script port has one source: the URL the launcher or compose derive from script-service's port. */
    @Test
    void theScriptUrlIsRequiredAndNotGuessed() {
        Map<String, String> m = full();
        m.remove("chainboot.dhcp.script-url");
        assertThatThrownBy(() -> SettingsResolver.resolve(config(m)))
                .hasMessageStartingWith("set chainboot.dhcp.script-url");
    }

    @Test
    void relayPoolsAreResolvedInFullModeAndRefusedInProxyMode() throws Exception {
        Map<String, String> m = full();
        m.put("chainboot.dhcp.relay-pools", "10.78.0.100-10.78.0.200/24@10.78.0.1,10.79.0.10-10.79.0.20/24");
        var s = SettingsResolver.resolve(config(m));
        assertThat(s.relayPools()).extracting(Pool::describe)
                .containsExactly("10.78.0.100-10.78.0.200/255.255.255.0", "10.79.0.10-10.79.0.20/255.255.255.0");
        assertThat(s.relayPools().get(0).dns()).as("relayed pools get pool.dns").containsExactly(Ipv4Address.parse("10.77.0.1"));
        m.put("chainboot.dhcp.relay-pools", "10.77.0.210-10.77.0.220/24");
        assertThatThrownBy(() -> SettingsResolver.resolve(config(m))).hasMessageContaining("same subnet");
        Map<String, String> proxy = new HashMap<>(Map.of("chainboot.dhcp.server-address", "10.77.0.1",
                "chainboot.dhcp.script-url", "http://10.77.0.1:8081/boot.ipxe",
                "chainboot.dhcp.relay-pools", "10.78.0.100-10.78.0.200/24"));
        assertThatThrownBy(() -> SettingsResolver.resolve(config(proxy)))
                .hasMessage("chainboot.dhcp.relay-pools needs chainboot.dhcp.mode=full");
    }

    @Test
    void badEntriesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> SettingsResolver.relayPool("10.78.0.100/24", DNS))
                .hasMessageStartingWith("chainboot.dhcp.relay-pools entry '10.78.0.100/24' is not START-END/PREFIX[@ROUTER]");
        assertThatThrownBy(() -> SettingsResolver.relayPool("10.78.0.100-10.78.1.5/24", DNS))
                .hasMessageContaining("relay-pools").hasMessageContaining("spans more than one subnet");
        assertThatThrownBy(() -> SettingsResolver.relayPool("10.78.0.100-10.78.0.200/24@10.79.0.1", DNS))
                .hasMessageContaining("relay-pools").hasMessageContaining("router 10.79.0.1 is not on the pool's subnet");
        assertThatThrownBy(() -> SettingsResolver.relayPool("10.78.0.100-10.78.0.200/31", DNS))
                .hasMessageContaining("prefix /31");
        assertThatThrownBy(() -> SettingsResolver.relayPool("10.78.0.300-10.78.0.200/24", DNS))
                .hasMessageContaining("relay-pools entry");
    }
}
