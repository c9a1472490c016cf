package io.chainboot.dhcp.ndp;

import io.chainboot.events.MacAddress;

import java.util.List;
import java.util.Optional;

/** The two Neighbor Discovery messages the router-advertisement responder speaks (RFC 4861 §4.1, §4.2). */
public sealed interface NdpMessage {

    /** The sender's link-layer address, from the Source Link-Layer Address option (RFC 4861 §4.6.1), if sent. */
    Optional<MacAddress> sourceLinkLayer();

    /** RFC 4861 §4.1: a host asks routers to advertise now. iPXE sends one when it starts IPv6 autoconfiguration. */
    record RouterSolicitation(Optional<MacAddress> sourceLinkLayer) implements NdpMessage {
    }

    /**
     * RFC 4861 §4.2.
     *
     * @param curHopLimit hop limit hosts should use, 0 = unspecified
     * @param managed M flag: addresses from DHCPv6
     * @param other O flag: other configuration from DHCPv6
     * @param routerLifetimeSeconds 0 = not a default router (RFC 4861 §4.2: "MUST NOT be used as a default router")
     */
    record RouterAdvertisement(int curHopLimit, boolean managed, boolean other, int routerLifetimeSeconds,
                               long reachableTimeMillis, long retransTimerMillis, Optional<MacAddress> sourceLinkLayer,
                               Optional<Integer> mtu, List<PrefixInformation> prefixes) implements NdpMessage {
        public RouterAdvertisement {
            if (curHopLimit < 0 || curHopLimit > 255) {
                throw new IllegalArgumentException("cur hop limit out of range: " + curHopLimit);
            }
            if (routerLifetimeSeconds < 0 || routerLifetimeSeconds > 9000) {
                throw new IllegalArgumentException("router lifetime must be 0-9000 s (RFC 4861 §4.2): " + routerLifetimeSeconds);
            }
            prefixes = List.copyOf(prefixes);
        }
    }

    /**
     * RFC 4861 §4.6.2 Prefix Information.
     *
     * @param onLink L flag
     * @param autonomous A flag (RFC 4862 SLAAC)
     */
    record PrefixInformation(byte[] prefix, int length, boolean onLink, boolean autonomous, long validLifetimeSeconds,
                             long preferredLifetimeSeconds) {
        public PrefixInformation {
            if (prefix.length != 16) {
                throw new IllegalArgumentException("an IPv6 prefix is 16 bytes");
            }
            if (length < 0 || length > 128) {
                throw new IllegalArgumentException("prefix length out of range: " + length);
            }
            prefix = prefix.clone();
        }

        @Override
        public byte[] prefix() {
            return prefix.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PrefixInformation p && java.util.Arrays.equals(prefix, p.prefix) && length == p.length
                    && onLink == p.onLink && autonomous == p.autonomous
                    && validLifetimeSeconds == p.validLifetimeSeconds
                    && preferredLifetimeSeconds == p.preferredLifetimeSeconds;
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(prefix) * 31 + length;
        }

        @Override
        public String toString() {
            try {
                return java.net.InetAddress.getByAddress(prefix).getHostAddress() + "/" + length;
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
