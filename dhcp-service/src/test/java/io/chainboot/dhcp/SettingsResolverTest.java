package io.chainboot.dhcp;

import io.chainboot.dhcp.lease.Pool;
import io.chainboot.events.Ipv4Address;
import org.junit.jupiter.api.Test;

import java.util.List;
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
