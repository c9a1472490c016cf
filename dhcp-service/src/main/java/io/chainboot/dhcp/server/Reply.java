package io.chainboot.dhcp.server;

import io.chainboot.dhcp.codec.DhcpPacket;
import io.chainboot.events.BootEvent;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;

import java.util.List;

/** The responder's answer to one request: send a packet, or stay silent; both may carry events and lease changes. */
public sealed interface Reply {
    List<BootEvent> events();

    List<LeaseChange> leaseChanges();

    record Send(DhcpPacket packet, Destination to, int maxLength, List<BootEvent> events,
                List<LeaseChange> leaseChanges) implements Reply {
    }

    record Silent(String reason, List<BootEvent> events, List<LeaseChange> leaseChanges) implements Reply {
        public static Silent because(String reason) {
            return new Silent(reason, List.of(), List.of());
        }
    }

    /** A change to publish on {@code chainboot.leases}. */
    sealed interface LeaseChange {
        record Put(Lease lease) implements LeaseChange {
        }

        record Remove(Ipv4Address ip) implements LeaseChange {
        }

        /** A DHCPv6 lease (IA_NA address, full mode) is gone: the tombstone of its key ({@code Lease#key()}). */
        record RemoveIpv6(java.net.Inet6Address ip) implements LeaseChange {
        }
    }
}
