package io.chainboot.dhcp.it;

import io.chainboot.dhcp.codec.DhcpCodec;
import io.chainboot.dhcp.codec.DhcpOptions;
import io.chainboot.dhcp.codec.DhcpPacket;
import io.chainboot.dhcp.codec.MessageType;
import io.chainboot.dhcp.codec.OptionCode;
import io.chainboot.events.Decoded;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.HexFormat;

/**
 * A PXE-firmware-like client for namespace tests: broadcasts a DISCOVER carrying option 60
 * {@code PXEClient:Arch:00000:UNDI:002001}, 93 = 0 and 97 from {@code mac} (args: mac, seconds,
 * [request]), prints every reply as {@code REPLY type server=… yiaddr=… file=… vc=… uuid=…}. With
 * {@code request}, it then REQUESTs the first non-zero yiaddr offered (as firmware does of the
 * address server) and prints the ACK. Also sends {@code garbage} datagrams first when asked.
 */
public final class PxeProbeMain {
    public static void main(String[] args) throws Exception {
        MacAddress mac = MacAddress.parse(args[0]);
        int seconds = Integer.parseInt(args[1]);
        boolean request = args.length > 2 && args[2].equals("request");
        byte[] uuid = HexFormat.of().parseHex("00" + "0123456789abcdef0123456789abcdef");
        try (DatagramSocket s = new DatagramSocket(null)) {
            s.setReuseAddress(true);
            s.setBroadcast(true);
            s.bind(new InetSocketAddress(68));
            s.setSoTimeout(250);
            InetSocketAddress server = new InetSocketAddress(InetAddress.getByName("255.255.255.255"), 67);
            int xid = 0x5eed0001;
            send(s, packet(mac, xid, MessageType.DISCOVER, uuid, null, null), server);
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            Ipv4Address offered = null;
            Ipv4Address offeredBy = null;
            byte[] buf = new byte[1500];
            while (System.nanoTime() < end) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                Decoded<DhcpPacket> d = DhcpCodec.decode(buf, 0, p.getLength());
                if (!(d instanceof Decoded.Valid<DhcpPacket> v) || v.value().op() != DhcpPacket.BOOTREPLY
                        || v.value().xid() != xid) {
                    continue;
                }
                DhcpPacket r = v.value();
                System.out.println("REPLY " + r.messageType().map(Enum::name).orElse("?") + " server="
                        + r.serverId().map(Object::toString).orElse("-") + " yiaddr=" + r.yiaddr() + " siaddr=" + r.siaddr()
                        + " file=" + (r.file().isEmpty() ? r.options().string(OptionCode.BOOTFILE_NAME).orElse("-") : r.file())
                        + " vc=" + r.vendorClass().orElse("-") + " uuid=" + r.clientUuid().orElse("-"));
                System.out.flush();
                if (request && offered == null && r.messageType().orElse(null) == MessageType.OFFER && !r.yiaddr().isAny()) {
                    offered = r.yiaddr();
                    offeredBy = r.serverId().orElseThrow();
                    send(s, packet(mac, xid, MessageType.REQUEST, uuid, offered, offeredBy), server);
                }
            }
        }
        System.out.println("DONE");
    }

    static DhcpPacket packet(MacAddress mac, int xid, MessageType type, byte[] uuid, Ipv4Address requested,
                             Ipv4Address serverId) {
        DhcpOptions.Builder o = DhcpOptions.builder()
                .u8(OptionCode.MESSAGE_TYPE, type.code())
                .put(OptionCode.PARAMETER_REQUEST_LIST, new byte[] {1, 3, 6, 43, 60, 66, 67, (byte) 128})
                .u16(OptionCode.MAX_MESSAGE_SIZE, 1260)
                .put(OptionCode.CLIENT_ARCH, new byte[] {0, 0})
                .put(OptionCode.CLIENT_NDI, new byte[] {1, 2, 1})
                .put(OptionCode.CLIENT_UUID, uuid)
                .string(OptionCode.VENDOR_CLASS, "PXEClient:Arch:00000:UNDI:002001");
        if (requested != null) {
            o.ip(OptionCode.REQUESTED_IP, requested).ip(OptionCode.SERVER_ID, serverId);
        }
        return new DhcpPacket(DhcpPacket.BOOTREQUEST, 1, 6, 0, xid, 4, DhcpPacket.FLAG_BROADCAST, Ipv4Address.ANY,
                Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY, mac.toBytes(), "", "", o.build());
    }

    static void send(DatagramSocket s, DhcpPacket p, InetSocketAddress to) throws java.io.IOException {
        byte[] b = DhcpCodec.encode(p, 1500);
        s.send(new DatagramPacket(b, b.length, to));
    }
}
