package io.chainboot.dhcp.codec;

import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A BOOTP/DHCP message (RFC 2131 §2, Figure 1). {@code chaddr} is the 16-byte client hardware
 * address field; {@code sname} and {@code file} are the header strings (after any option
 * overload, RFC 2131 §4.1, has been taken out of them by the decoder).
 */
public record DhcpPacket(int op, int htype, int hlen, int hops, int xid, int secs, int flags,
                         Ipv4Address ciaddr, Ipv4Address yiaddr, Ipv4Address siaddr, Ipv4Address giaddr,
                         byte[] chaddr, String sname, String file, DhcpOptions options) {

    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;
    public static final int HTYPE_ETHERNET = 1;
    /** RFC 2131 §2: the leftmost bit of {@code flags}. */
    public static final int FLAG_BROADCAST = 0x8000;

    public DhcpPacket {
        Objects.requireNonNull(ciaddr);
        Objects.requireNonNull(yiaddr);
        Objects.requireNonNull(siaddr);
        Objects.requireNonNull(giaddr);
        Objects.requireNonNull(options);
        chaddr = Arrays.copyOf(chaddr, 16);
        sname = sname == null ? "" : sname;
        file = file == null ? "" : file;
    }

    public Optional<MessageType> messageType() {
        return options.u8(OptionCode.MESSAGE_TYPE).flatMap(MessageType::of);
    }

    /** The client's MAC, when the hardware type is Ethernet (htype 1, hlen 6). */
    public Optional<MacAddress> mac() {
        return htype == HTYPE_ETHERNET && hlen == 6 ? Optional.of(MacAddress.of(chaddr, 0)) : Optional.empty();
    }

    public boolean broadcastFlag() {
        return (flags & FLAG_BROADCAST) != 0;
    }

    /** Option 60 as sent (e.g. {@code PXEClient:Arch:00000:UNDI:002001}). */
    public Optional<String> vendorClass() {
        return options.string(OptionCode.VENDOR_CLASS);
    }

    /** RFC 4578 §2.1 option 93: the first architecture type listed. */
    public Optional<Integer> clientArch() {
        return options.bytes(OptionCode.CLIENT_ARCH).filter(b -> b.length >= 2)
                .map(b -> ((b[0] & 0xFF) << 8) | (b[1] & 0xFF));
    }

    /**
     * RFC 4578 §2.3 option 97: type 0 followed by a 16-byte UUID. The bytes are in SMBIOS order
     * (PXE 2.1: "the same format as SMBIOS"), whose first three fields are little-endian (SMBIOS
     * 2.6 §7.2.1), so the text is the one dmidecode, iPXE's {@code ${uuid}} and Wireshark show.
     */
    public Optional<String> clientUuid() {
        return options.bytes(OptionCode.CLIENT_UUID).filter(b -> b.length == 17 && b[0] == 0).map(b -> {
            byte[] u = {b[4], b[3], b[2], b[1], b[6], b[5], b[8], b[7], b[9], b[10], b[11], b[12], b[13], b[14], b[15], b[16]};
            String h = java.util.HexFormat.of().formatHex(u);
            return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-"
                    + h.substring(16, 20) + "-" + h.substring(20);
        });
    }

    /** Option 77 user classes (RFC 3004 §4, or iPXE's single bare string). */
    public List<String> userClasses() {
        return options.bytes(OptionCode.USER_CLASS).map(UserClass::decode).orElse(List.of());
    }

    public Optional<Ipv4Address> requestedIp() {
        return options.ip(OptionCode.REQUESTED_IP);
    }

    public Optional<Ipv4Address> serverId() {
        return options.ip(OptionCode.SERVER_ID);
    }

    /** Option 57 (RFC 2132 §9.10); values below 576 are ignored as the RFC requires. */
    public Optional<Integer> maxMessageSize() {
        return options.u16(OptionCode.MAX_MESSAGE_SIZE).filter(v -> v >= 576);
    }

    public Optional<String> hostname() {
        return options.string(OptionCode.HOSTNAME);
    }

    public DhcpPacket withOptions(DhcpOptions o) {
        return new DhcpPacket(op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr,
                sname, file, o);
    }

    /**
     * A reply built from this request: xid, flags, giaddr, hardware address and relay agent
     * information (RFC 3046 §2.2, echoed last) copied in this one place.
     */
    public static DhcpPacket replyTo(DhcpPacket request, Ipv4Address ciaddr, Ipv4Address yiaddr, Ipv4Address siaddr,
                                     String sname, String file, DhcpOptions options) {
        DhcpOptions.Builder b = options.toBuilder();
        request.options.bytes(OptionCode.RELAY_AGENT_INFO).ifPresent(v -> b.remove(OptionCode.RELAY_AGENT_INFO)
                .put(OptionCode.RELAY_AGENT_INFO, v));
        return new DhcpPacket(BOOTREPLY, request.htype, request.hlen, 0, request.xid, 0, request.flags,
                ciaddr, yiaddr, siaddr, request.giaddr, request.chaddr, sname, file, b.build());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpPacket p && op == p.op && htype == p.htype && hlen == p.hlen && hops == p.hops
                && xid == p.xid && secs == p.secs && flags == p.flags && ciaddr.equals(p.ciaddr)
                && yiaddr.equals(p.yiaddr) && siaddr.equals(p.siaddr) && giaddr.equals(p.giaddr)
                && Arrays.equals(chaddr, p.chaddr) && sname.equals(p.sname) && file.equals(p.file)
                && options.equals(p.options);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, xid, ciaddr, yiaddr, Arrays.hashCode(chaddr), options);
    }

    @Override
    public String toString() {
        return "DhcpPacket[op=" + op + " xid=" + Integer.toHexString(xid) + " flags=" + Integer.toHexString(flags)
                + " ciaddr=" + ciaddr + " yiaddr=" + yiaddr + " siaddr=" + siaddr + " giaddr=" + giaddr
                + " chaddr=" + java.util.HexFormat.of().formatHex(chaddr, 0, Math.min(16, Math.max(0, hlen)))
                + " sname='" + sname + "' file='" + file + "' options{" + options + "}]";
    }
}
