package io.chainboot.dhcp.v6.server;

import io.chainboot.dhcp.v6.codec.Dhcpv6Message;
import io.chainboot.dhcp.v6.codec.Dhcpv6MessageType;
import io.chainboot.dhcp.v6.codec.Dhcpv6Option;
import io.chainboot.events.BootEvent;
import io.chainboot.events.ClientKind;
import io.chainboot.events.DhcpEvents;
import io.chainboot.events.EventSource;
import io.chainboot.events.MacAddress;
import io.chainboot.events.Names;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Pure: the boot event of one DHCPv6 answer, in the DHCPv4 shapes ({@code dhcp.offered} for an Advertise,
 * {@code dhcp.acked} for a Reply that gives an address or boot options; Release replies publish nothing),
 * {@code ip} null and {@code ipv6} the IA_NA address (or {@code ::}). And which MAC sent a message.
 */
public final class V6Events {
    private V6Events() {
    }

    public static Optional<BootEvent> of(Dhcpv6Message request, Dhcpv6Message answer, Optional<MacAddress> mac,
                                         EventSource source, boolean full, Instant now) {
        if (mac.isEmpty() || request.type() == Dhcpv6MessageType.RELEASE) {
            return Optional.empty();
        }
        Optional<Dhcpv6Message.IaAddress> addr = addresses(answer).stream().findFirst();
        String ipv6 = addr.map(a -> Names.ipv6(a.address())).orElse("::");
        long lease = addr.map(Dhcpv6Message.IaAddress::validLifetime).orElse(0L);
        Integer arch = request.clientArchitectures().isEmpty() ? null : request.clientArchitectures().get(0);
        String vendor = request.vendorClasses().stream().flatMap(v -> v.data().stream()).findFirst().orElse(null);
        ClientKind kind = request.userClasses().contains("iPXE") ? ClientKind.IPXE
                : vendor != null && (vendor.startsWith("PXEClient") || vendor.startsWith("HTTPClient")) ? ClientKind.FIRMWARE
                : ClientKind.OS;
        String bootFile = answer.first(Dhcpv6Option.BOOTFILE_URL).map(b -> new String(b, StandardCharsets.UTF_8)).orElse(null);
        String mode = full ? "full" : "proxy";
        if (answer.type() == Dhcpv6MessageType.ADVERTISE) {
            return Optional.of(new DhcpEvents.Offered(UUID.randomUUID(), now, source, mac.get(), null, kind, arch, vendor, null,
                    bootFile, mode, lease, ipv6));
        }
        return Optional.of(new DhcpEvents.Acked(UUID.randomUUID(), now, source, mac.get(), null, kind, arch, vendor, null,
                bootFile, mode, lease, null, ipv6));
    }

    /** The addresses the answer's IA_NAs carry. */
    static List<Dhcpv6Message.IaAddress> addresses(Dhcpv6Message answer) {
        return answer.iaNas().stream().flatMap(ia -> ia.addresses().stream()).toList();
    }

    /**
     * The sender's MAC: the link-layer address of a DUID-LLT or DUID-LL over Ethernet (RFC 8415 §11.2, §11.4;
     * OVMF and dhclient send DUID-LLT), else the modified EUI-64 interface identifier of its link-local
     * source address (iPXE sends DUID-UUID from an EUI-64 link-local address), else empty.
     */
    public static Optional<MacAddress> macOf(Dhcpv6Message m, InetAddress from) {
        Optional<byte[]> duid = m.clientId();
        if (duid.isPresent()) {
            byte[] d = duid.get();
            int type = d.length >= 2 ? ((d[0] & 0xFF) << 8) | (d[1] & 0xFF) : -1;
            int hw = d.length >= 4 ? ((d[2] & 0xFF) << 8) | (d[3] & 0xFF) : -1;
            if (hw == 1 && type == 1 && d.length == 14) {
                return Optional.of(MacAddress.of(Arrays.copyOfRange(d, 8, 14)));
            }
            if (hw == 1 && type == 3 && d.length == 10) {
                return Optional.of(MacAddress.of(Arrays.copyOfRange(d, 4, 10)));
            }
        }
        if (from instanceof Inet6Address a && a.isLinkLocalAddress()) {
            byte[] b = a.getAddress();
            if ((b[11] & 0xff) == 0xff && (b[12] & 0xff) == 0xfe) {
                return Optional.of(MacAddress.of(new byte[]{(byte) (b[8] ^ 0x02), b[9], b[10], b[13], b[14], b[15]}));
            }
        }
        return Optional.empty();
    }

    /** DUID-LL (RFC 8415 §11.4) of an Ethernet MAC: the server identifier. */
    public static byte[] duidLl(byte[] mac) {
        byte[] d = new byte[4 + mac.length];
        d[1] = 3;
        d[3] = 1;
        System.arraycopy(mac, 0, d, 4, mac.length);
        return d;
    }

    static Inet6Address v6(String s) {
        try {
            return (Inet6Address) InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
