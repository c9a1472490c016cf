package io.chainboot.tftp.server;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.common.LeaseDirectory;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.TftpEvents;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.UUID;

/** Builds and publishes the {@code tftp.*} events, keyed by the MAC the lease table gives the client's IP. */
final class TransferEvents {
    private final BootEventPublisher publisher;
    private final LeaseDirectory leases;
    private final EventSource source;

    TransferEvents(BootEventPublisher publisher, LeaseDirectory leases, EventSource source) {
        this.publisher = publisher;
        this.leases = leases;
        this.source = source;
    }

    /** The client's identity for events and log lines: IPv4 (null for IPv6) and MAC (null when unknown; IPv6: from its DHCPv6 lease). */
    record Who(Ipv4Address ip, MacAddress mac) {
        @Override
        public String toString() {
            return "mac=" + (mac == null ? "?" : mac) + " ip=" + ip;
        }
    }

    /** An IPv6 client (PXEv6 firmware) is named by its DHCPv6 lease on {@code chainboot.leases}, when dhcp-service has one. */
    Who who(InetAddress address) {
        Ipv4Address ip = address instanceof Inet4Address ? Ipv4Address.of(address) : null;
        MacAddress mac = null;
        try {
            mac = leases.macOf(address).orElse(null);
        } catch (RuntimeException e) {
            // a broken lease view must not stop a boot; the event is keyed by IP
        }
        return new Who(ip, mac);
    }

    void started(Who who, String file, int blksize, int window, Long tsize) {
        publisher.publish(new TftpEvents.Started(UUID.randomUUID(), Instant.now(), source, who.mac(), who.ip(),
                file, blksize, window, tsize));
    }

    void completed(Who who, String file, long bytes, long ms, int blksize, int window, long retransmits) {
        publisher.publish(new TftpEvents.Completed(UUID.randomUUID(), Instant.now(), source, who.mac(), who.ip(),
                file, bytes, ms, blksize, window, (int) Math.min(Integer.MAX_VALUE, retransmits)));
    }

    void failed(Who who, String file, String reason, long bytes) {
        publisher.publish(new TftpEvents.Failed(UUID.randomUUID(), Instant.now(), source, who.mac(), who.ip(),
                file, reason, bytes));
    }
}
