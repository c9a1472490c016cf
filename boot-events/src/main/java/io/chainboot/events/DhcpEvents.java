package io.chainboot.events;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;
import java.util.UUID;

/** Events published by dhcp-service. {@code ip} is the client's address (offered, acked, declined…). */
public final class DhcpEvents {
    private DhcpEvents() {
    }

    /**
     * What an OFFER and an ACK both tell: which client asked, what it said of itself (options 93,
     * 60, 97) and what it was handed. Consumers read these through this type, not per record.
     */
    public sealed interface Reply permits Offered, Acked {
        MacAddress mac();

        Ipv4Address ip();

        ClientKind client();

        Integer arch();

        String vendorClass();

        String uuid();

        String bootFile();

        String mode();

        long leaseSeconds();

        /**
         * DHCPv6 only: the IPv6 address leased in the IA_NA (full mode), or {@code "::"} for a DHCPv6 answer
         * without one (proxy style); null for DHCPv4. {@code ip} is null in every DHCPv6 event.
         */
        String ipv6();

        /** The address handed to the MAC: full mode only; null in proxy mode (no ip, or 0.0.0.0). */
        @JsonIgnore
        default Ipv4Address leasedIp() {
            return ip() == null || ip().isAny() ? null : ip();
        }
    }

    /**
     * An OFFER was sent (full mode: {@code ip} = yiaddr; proxy mode: {@code ip} null).
     *
     * @param client    firmware, iPXE or OS (option 77 / 60)
     * @param arch      RFC 4578 option 93 client architecture, null if absent
     * @param vendorClass option 60 as sent
     * @param uuid      option 97 client machine identifier (RFC 4578 §2.3), canonical text, or null
     * @param bootFile  the boot file or URL handed out, null if none
     * @param mode      {@code full} or {@code proxy}
     * @param leaseSeconds lease time offered, 0 in proxy mode
     * @param ipv6      DHCPv6 Advertise: the IA_NA address offered, {@code "::"} when none (proxy style); null for DHCPv4
     */
    public record Offered(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                          ClientKind client, Integer arch, String vendorClass, String uuid, String bootFile,
                          String mode, long leaseSeconds, String ipv6) implements BootEvent, Reply {
        /** A DHCPv4 OFFER ({@code ipv6} null). */
        public Offered(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip, ClientKind client,
                       Integer arch, String vendorClass, String uuid, String bootFile, String mode, long leaseSeconds) {
            this(id, time, source, mac, ip, client, arch, vendorClass, uuid, bootFile, mode, leaseSeconds, null);
        }
    }

    /**
     * An ACK was sent: the client now holds {@code ip} (full mode) or has its boot info (proxy mode). A DHCPv6
     * Reply to a Request/Renew/Rebind/Information-request is published as this too, {@code ipv6} set.
     */
    public record Acked(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                        ClientKind client, Integer arch, String vendorClass, String uuid, String bootFile,
                        String mode, long leaseSeconds, String hostname, String ipv6) implements BootEvent, Reply {
        /** A DHCPv4 ACK ({@code ipv6} null). */
        public Acked(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip, ClientKind client,
                     Integer arch, String vendorClass, String uuid, String bootFile, String mode, long leaseSeconds,
                     String hostname) {
            this(id, time, source, mac, ip, client, arch, vendorClass, uuid, bootFile, mode, leaseSeconds, hostname, null);
        }
    }

    /** A NAK was sent for {@code requested}. */
    public record Nak(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                      Ipv4Address requested, String reason) implements BootEvent {
    }

    /** The client declined {@code ip} (address in use, RFC 2131 §4.3.3): it is quarantined. */
    public record Declined(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                           String reason) implements BootEvent {
    }

    /** The client released {@code ip}. */
    public record Released(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip)
            implements BootEvent {
    }
}
