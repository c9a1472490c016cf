package io.chainboot.dhcp.ndp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * A raw ICMPv6 socket bound to one interface (Linux, through JNA: the JDK has no raw sockets).
 * Transport only: it moves ICMPv6 payloads and their hop limit; {@link NdpCodec} reads them.
 * Needs CAP_NET_RAW. Filtered in the kernel to router solicitations and advertisements
 * (ICMP6_FILTER), joined to all-routers (ff02::2) to hear solicitations, sends with hop limit 255
 * (RFC 4861 §6.1) and never loops its own multicast back.
 */
final class RawIcmpv6Socket implements AutoCloseable {
    private static final int AF_INET6 = 10;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPPROTO_ICMPV6 = 58;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_BINDTODEVICE = 25;
    private static final int ICMP6_FILTER = 1;
    private static final int IPV6_UNICAST_HOPS = 16;
    private static final int IPV6_MULTICAST_IF = 17;
    private static final int IPV6_MULTICAST_HOPS = 18;
    private static final int IPV6_MULTICAST_LOOP = 19;
    private static final int IPV6_JOIN_GROUP = 20;
    private static final int IPV6_RECVHOPLIMIT = 51;
    private static final int IPV6_HOPLIMIT = 52;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int SOCKADDR_IN6 = 28;
    private static final int MSGHDR = 56;
    private static final int CONTROL = 64;

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int socket(int domain, int type, int protocol) throws LastErrorException;

        int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

        long recvmsg(int fd, Pointer msghdr, int flags) throws LastErrorException;

        long sendto(int fd, byte[] buf, long len, int flags, Pointer addr, int addrlen) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    /** One received ICMPv6 message. */
    record Received(byte[] data, int length, Inet6Address from, int hopLimit) {
    }

    private final LibC libc;
    private final int fd;
    private final int ifIndex;
    private final Memory name = new Memory(SOCKADDR_IN6);
    private final Memory iov = new Memory(16);
    private final Memory control = new Memory(CONTROL);
    private final Memory msg = new Memory(MSGHDR);
    private final Memory buffer = new Memory(2048);
    private final Memory destination = new Memory(SOCKADDR_IN6);
    private volatile boolean closed;

    RawIcmpv6Socket(NetworkInterface nif) throws IOException {
        if (!Boolean.TRUE.equals(isLinux())) {
            throw new IOException("router advertisements need Linux raw sockets; this is " + System.getProperty("os.name"));
        }
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN || Native.POINTER_SIZE != 8) {
            throw new IOException("router advertisements need a 64-bit little-endian Linux (x86-64 or arm64)");
        }
        try {
            libc = LibC.INSTANCE;
        } catch (UnsatisfiedLinkError e) {
            throw new IOException("cannot load libc through JNA: " + e.getMessage(), e);
        }
        this.ifIndex = nif.getIndex();
        int s;
        try {
            s = libc.socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
        } catch (LastErrorException e) {
            throw new IOException("cannot open a raw ICMPv6 socket (needs root or CAP_NET_RAW): " + strerror(e), e);
        }
        this.fd = s;
        try {
            byte[] dev = (nif.getName() + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Memory devName = new Memory(dev.length);
            devName.write(0, dev, 0, dev.length);
            set(SOL_SOCKET, SO_BINDTODEVICE, devName, "SO_BINDTODEVICE " + nif.getName());
            Memory filter = new Memory(32); // struct icmp6_filter: a set bit blocks that type
            for (int i = 0; i < 8; i++) {
                filter.setInt(i * 4L, -1);
            }
            for (int type : new int[]{NdpCodec.ROUTER_SOLICITATION, NdpCodec.ROUTER_ADVERTISEMENT}) {
                int word = type >> 5;
                filter.setInt(word * 4L, filter.getInt(word * 4L) & ~(1 << (type & 31)));
            }
            set(IPPROTO_ICMPV6, ICMP6_FILTER, filter, "ICMP6_FILTER");
            setInt(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
            setInt(IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS");
            setInt(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS");
            setInt(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
            setInt(IPPROTO_IPV6, IPV6_MULTICAST_IF, ifIndex, "IPV6_MULTICAST_IF");
            Memory mreq = new Memory(20); // struct ipv6_mreq
            mreq.write(0, InetAddress.getByName("ff02::2").getAddress(), 0, 16);
            mreq.setInt(16, ifIndex);
            set(IPPROTO_IPV6, IPV6_JOIN_GROUP, mreq, "joining ff02::2 on " + nif.getName());
            Memory timeout = new Memory(16); // struct timeval: 1 s, so close() is noticed
            timeout.setLong(0, 1);
            timeout.setLong(8, 0);
            set(SOL_SOCKET, SO_RCVTIMEO, timeout, "SO_RCVTIMEO");
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        iov.setPointer(0, buffer);
        iov.setLong(8, buffer.size());
    }

    /** The next message, or null after a 1 s timeout or once closed. */
    Received receive() throws IOException {
        msg.clear();
        msg.setPointer(0, name);
        msg.setInt(8, SOCKADDR_IN6);
        msg.setPointer(16, iov);
        msg.setLong(24, 1);
        msg.setPointer(32, control);
        msg.setLong(40, CONTROL);
        long n;
        try {
            n = libc.recvmsg(fd, msg, 0);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EAGAIN || e.getErrorCode() == EINTR || closed) {
                return null;
            }
            throw new IOException("recvmsg: " + strerror(e), e);
        }
        int hopLimit = -1;
        long controlLength = msg.getLong(40);
        for (long at = 0; at + 16 <= controlLength; ) { // struct cmsghdr: size_t len, int level, int type, data
            long len = control.getLong(at);
            if (len < 16) {
                break;
            }
            if (control.getInt(at + 8) == IPPROTO_IPV6 && control.getInt(at + 12) == IPV6_HOPLIMIT) {
                hopLimit = control.getInt(at + 16);
            }
            at += (len + 7) & ~7L;
        }
        byte[] addr = name.getByteArray(8, 16);
        byte[] data = buffer.getByteArray(0, (int) n);
        return new Received(data, (int) n, scoped(addr), hopLimit);
    }

    void send(byte[] icmp, Inet6Address to) throws IOException {
        destination.clear();
        destination.setShort(0, (short) AF_INET6);
        destination.write(8, to.getAddress(), 0, 16);
        destination.setInt(24, ifIndex); // scope id: link-local and multicast need the interface
        try {
            libc.sendto(fd, icmp, icmp.length, 0, destination, SOCKADDR_IN6);
        } catch (LastErrorException e) {
            throw new IOException("sendto " + to.getHostAddress() + ": " + strerror(e), e);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                libc.close(fd);
            } catch (LastErrorException e) {
                // already closed
            }
        }
    }

    private Inet6Address scoped(byte[] addr) throws UnknownHostException {
        return Inet6Address.getByAddress(null, addr, (addr[0] & 0xff) == 0xfe && (addr[1] & 0xc0) == 0x80 ? ifIndex : 0);
    }

    private void setInt(int level, int option, int value, String what) throws IOException {
        Memory m = new Memory(4);
        m.setInt(0, value);
        set(level, option, m, what);
    }

    private void set(int level, int option, Memory value, String what) throws IOException {
        try {
            libc.setsockopt(fd, level, option, value, (int) value.size());
        } catch (LastErrorException e) {
            throw new IOException(what + ": " + strerror(e), e);
        }
    }

    private static String strerror(LastErrorException e) {
        return switch (e.getErrorCode()) {
            case 1 -> "operation not permitted (EPERM)";
            case 13 -> "permission denied (EACCES)";
            case 19 -> "no such device (ENODEV)";
            case 99 -> "address not available (EADDRNOTAVAIL)";
            case 101 -> "network unreachable (ENETUNREACH)";
            default -> "errno " + e.getErrorCode();
        };
    }

    private static Boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    }
}
