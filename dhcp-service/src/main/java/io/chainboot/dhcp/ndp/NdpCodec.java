package io.chainboot.dhcp.ndp;

import io.chainboot.dhcp.ndp.NdpMessage.PrefixInformation;
import io.chainboot.dhcp.ndp.NdpMessage.RouterAdvertisement;
import io.chainboot.dhcp.ndp.NdpMessage.RouterSolicitation;
import io.chainboot.events.Decoded;
import io.chainboot.events.MacAddress;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Bytes ↔ {@link NdpMessage} for the ICMPv6 payload of a raw socket (the IPv6 header is the kernel's).
 * Pure: no I/O. The checksum is left 0 on encode and not checked on decode: on a raw ICMPv6 socket
 * the kernel computes it on send and drops bad ones on receive (RFC 3542 §3.1).
 *
 * <p>Validation follows RFC 4861 §6.1.1 (solicitations) and §6.1.2 (advertisements): IP hop limit
 * 255 (so the packet cannot have come from off the link), ICMP code 0, enough length, every option
 * of non-zero length, no Source Link-Layer Address option from the unspecified address.
 */
public final class NdpCodec {
    public static final int ROUTER_SOLICITATION = 133;
    public static final int ROUTER_ADVERTISEMENT = 134;
    static final int OPT_SOURCE_LINK_LAYER = 1;
    static final int OPT_PREFIX_INFORMATION = 3;
    static final int OPT_MTU = 5;

    private NdpCodec() {
    }

    /**
     * @param hopLimit the IPv6 hop limit the packet arrived with (IPV6_HOPLIMIT ancillary data)
     * @param fromUnspecified whether the IPv6 source was {@code ::}
     */
    public static Decoded<NdpMessage> decode(byte[] b, int off, int len, int hopLimit, boolean fromUnspecified) {
        if (len < 8) {
            return Decoded.invalid("ICMPv6 message shorter than 8 bytes: " + len);
        }
        int type = b[off] & 0xff;
        int code = b[off + 1] & 0xff;
        if (type != ROUTER_SOLICITATION && type != ROUTER_ADVERTISEMENT) {
            return Decoded.invalid("not a router solicitation or advertisement: ICMPv6 type " + type);
        }
        if (hopLimit != 255) {
            return Decoded.invalid("hop limit " + hopLimit + ", not 255: not from this link (RFC 4861 §6.1)");
        }
        if (code != 0) {
            return Decoded.invalid("ICMPv6 code " + code + ", not 0");
        }
        int optionsAt = type == ROUTER_SOLICITATION ? 8 : 16;
        if (len < optionsAt) {
            return Decoded.invalid("router advertisement shorter than 16 bytes: " + len);
        }
        Optional<MacAddress> sll = Optional.empty();
        Optional<Integer> mtu = Optional.empty();
        List<PrefixInformation> prefixes = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        for (int at = optionsAt; at < len; ) {
            if (len - at < 2) {
                return Decoded.invalid("truncated option at byte " + at);
            }
            int optType = b[off + at] & 0xff;
            int optLen = (b[off + at + 1] & 0xff) * 8;
            if (optLen == 0) {
                return Decoded.invalid("option " + optType + " has length 0 (RFC 4861 §4.6)");
            }
            if (at + optLen > len) {
                return Decoded.invalid("option " + optType + " runs past the end of the message");
            }
            int body = off + at + 2;
            switch (optType) {
                case OPT_SOURCE_LINK_LAYER -> {
                    if (optLen == 8) { // Ethernet: 6 bytes of address (RFC 2464 §6)
                        sll = Optional.of(MacAddress.of(b, body));
                    }
                }
                case OPT_MTU -> {
                    if (optLen == 8) {
                        mtu = Optional.of(buf.getInt(off + at + 4));
                    }
                }
                case OPT_PREFIX_INFORMATION -> {
                    if (optLen != 32) {
                        return Decoded.invalid("prefix information option of " + optLen + " bytes, not 32");
                    }
                    int flags = b[body + 1] & 0xff;
                    byte[] prefix = new byte[16];
                    System.arraycopy(b, off + at + 16, prefix, 0, 16);
                    int plen = b[body] & 0xff;
                    if (plen > 128) {
                        return Decoded.invalid("prefix length " + plen);
                    }
                    prefixes.add(new PrefixInformation(prefix, plen, (flags & 0x80) != 0, (flags & 0x40) != 0,
                            Integer.toUnsignedLong(buf.getInt(off + at + 4)), Integer.toUnsignedLong(buf.getInt(off + at + 8))));
                }
                default -> {
                    // RFC 4861 §4.6: unrecognised options are skipped
                }
            }
            at += optLen;
        }
        if (fromUnspecified && sll.isPresent()) {
            return Decoded.invalid("source link-layer address option from the unspecified address (RFC 4861 §6.1.1)");
        }
        if (type == ROUTER_SOLICITATION) {
            return Decoded.valid(new RouterSolicitation(sll));
        }
        int flags = b[off + 5] & 0xff;
        return Decoded.valid(new RouterAdvertisement(b[off + 4] & 0xff, (flags & 0x80) != 0, (flags & 0x40) != 0,
                Math.min(buf.getShort(off + 6) & 0xffff, 9000), // larger values are treated as 9000 (RFC 4861 §6.2.1)
                Integer.toUnsignedLong(buf.getInt(off + 8)), Integer.toUnsignedLong(buf.getInt(off + 12)), sll, mtu, prefixes));
    }

    /** The ICMPv6 bytes of an advertisement, checksum 0 (the kernel fills it in). */
    public static byte[] encode(RouterAdvertisement ra) {
        int size = 16 + (ra.sourceLinkLayer().isPresent() ? 8 : 0) + (ra.mtu().isPresent() ? 8 : 0) + 32 * ra.prefixes().size();
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) ROUTER_ADVERTISEMENT).put((byte) 0).putShort((short) 0);
        out.put((byte) ra.curHopLimit());
        out.put((byte) ((ra.managed() ? 0x80 : 0) | (ra.other() ? 0x40 : 0)));
        out.putShort((short) ra.routerLifetimeSeconds());
        out.putInt((int) ra.reachableTimeMillis()).putInt((int) ra.retransTimerMillis());
        ra.sourceLinkLayer().ifPresent(mac -> out.put((byte) OPT_SOURCE_LINK_LAYER).put((byte) 1).put(mac.toBytes()));
        ra.mtu().ifPresent(m -> out.put((byte) OPT_MTU).put((byte) 1).putShort((short) 0).putInt(m));
        for (PrefixInformation p : ra.prefixes()) {
            out.put((byte) OPT_PREFIX_INFORMATION).put((byte) 4).put((byte) p.length())
                    .put((byte) ((p.onLink() ? 0x80 : 0) | (p.autonomous() ? 0x40 : 0)))
                    .putInt((int) p.validLifetimeSeconds()).putInt((int) p.preferredLifetimeSeconds()).putInt(0)
                    .put(p.prefix());
        }
        return out.array();
    }

    /** The ICMPv6 bytes of a solicitation with an optional Source Link-Layer Address option (used by tests and probes). */
    public static byte[] encode(RouterSolicitation rs) {
        ByteBuffer out = ByteBuffer.allocate(8 + (rs.sourceLinkLayer().isPresent() ? 8 : 0));
        out.put((byte) ROUTER_SOLICITATION).put((byte) 0).putShort((short) 0).putInt(0);
        rs.sourceLinkLayer().ifPresent(mac -> out.put((byte) OPT_SOURCE_LINK_LAYER).put((byte) 1).put(mac.toBytes()));
        return out.array();
    }
}
