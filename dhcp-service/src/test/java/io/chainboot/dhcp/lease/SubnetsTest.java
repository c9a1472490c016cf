package io.chainboot.dhcp.lease;

import io.chainboot.events.Ipv4Address;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 2131's "which network is the client on", as a pure choice over the configured pools. */
class SubnetsTest {
    static final Ipv4Address MASK = Ipv4Address.parse("255.255.255.0");
    static final Pool LOCAL = pool("10.77.0.100", "10.77.0.200");
    static final Pool LAB = pool("10.78.0.100", "10.78.0.200");
    static final Pool HALL = pool("10.79.0.10", "10.79.0.20");
    static final Subnets SUBNETS = new Subnets(LOCAL, List.of(LAB, HALL));

    static Pool pool(String start, String end) {
        return new Pool(Ipv4Address.parse(start), Ipv4Address.parse(end), MASK, Optional.empty(), List.of());
    }

    static Optional<Pool> choose(String giaddr, String ciaddr) {
        return SUBNETS.choose(Ipv4Address.parse(giaddr), Ipv4Address.parse(ciaddr));
    }

    @Test
    void aRelayedRequestIsServedFromThePoolOfItsGiaddrsSubnet() {
        assertThat(choose("10.78.0.1", "0.0.0.0")).contains(LAB);
        assertThat(choose("10.79.0.254", "0.0.0.0")).contains(HALL);
        // giaddr wins over ciaddr (a relayed REBINDING)
        assertThat(choose("10.79.0.1", "10.78.0.150")).contains(HALL);
        // a relay on the server's own subnet
        assertThat(choose("10.77.0.254", "0.0.0.0")).contains(LOCAL);
    }

    @Test
    void aRelayOnASubnetWithoutAPoolIsNotOurs() {
        assertThat(choose("10.80.0.1", "0.0.0.0")).isEmpty();
        assertThat(new Subnets(LOCAL, List.of()).choose(Ipv4Address.parse("10.78.0.1"), Ipv4Address.ANY)).isEmpty();
    }

    @Test
    void aUnicastFromARelayedClientIsFoundByItsCiaddr() {
        assertThat(choose("0.0.0.0", "10.78.0.150")).contains(LAB);
        assertThat(choose("0.0.0.0", "10.77.0.120")).contains(LOCAL);
        // an address of no pool: the local pool, whose rules answer "another network"
        assertThat(choose("0.0.0.0", "192.168.1.5")).contains(LOCAL);
    }

    @Test
    void aBroadcastHeardDirectlyIsTheLocalPools() {
        assertThat(choose("0.0.0.0", "0.0.0.0")).contains(LOCAL);
    }

    @Test
    void twoPoolsOnOneSubnetAreRefused() {
        assertThatThrownBy(() -> new Subnets(LOCAL, List.of(pool("10.77.0.210", "10.77.0.220"))))
                .hasMessageContaining("same subnet");
        assertThatThrownBy(() -> new Subnets(LOCAL, List.of(new Pool(Ipv4Address.parse("10.76.0.1"),
                Ipv4Address.parse("10.76.0.9"), Ipv4Address.parse("255.252.0.0"), Optional.empty(), List.of()))))
                .hasMessageContaining("same subnet");
    }
}
