package io.chainboot.tftp.server;

import io.chainboot.common.LeaseDirectory;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Who a TFTP client is: an IPv4 client by its DHCPv4 lease, an IPv6 one (PXEv6) by its DHCPv6 lease. */
class TransferEventsTest {
    static final MacAddress MAC4 = MacAddress.parse("52:54:00:00:04:01");
    static final MacAddress MAC6 = MacAddress.parse("52:54:00:00:06:01");

    final LeaseDirectory leases = new LeaseDirectory() {
        @Override
        public Optional<Lease> byIp(Ipv4Address ip) {
            return ip.equals(Ipv4Address.parse("10.77.0.100")) ? Optional.of(new Lease(ip, MAC4, Instant.EPOCH, null)) : Optional.empty();
        }

        @Override
        public Optional<Lease> byIpv6(Inet6Address ip) {
            return Lease.ofIpv6(ip, MAC6, Instant.EPOCH).ipv6().equals("fd77::100")
                    ? Optional.of(Lease.ofIpv6(ip, MAC6, Instant.EPOCH)) : Optional.empty();
        }
    };
    final TransferEvents events = new TransferEvents(e -> { }, leases, new EventSource("tftp-service", "t"));

    @Test
    void ipv4AndIpv6ClientsAreNamedByTheirLeases() throws Exception {
        assertThat(events.who(InetAddress.getByName("10.77.0.100"))).isEqualTo(new TransferEvents.Who(Ipv4Address.parse("10.77.0.100"), MAC4));
        assertThat(events.who(InetAddress.getByName("fd77:0:0:0:0:0:0:100"))).isEqualTo(new TransferEvents.Who(null, MAC6));
        assertThat(events.who(InetAddress.getByName("fd77::101"))).isEqualTo(new TransferEvents.Who(null, null));
        assertThat(events.who(InetAddress.getByName("10.77.0.101"))).isEqualTo(new TransferEvents.Who(Ipv4Address.parse("10.77.0.101"), null));
    }
}
