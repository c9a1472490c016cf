package io.chainboot.tftp.server;

import io.chainboot.tftp.codec.TftpCodec;
import io.chainboot.tftp.codec.TftpPacket;
import io.chainboot.tftp.codec.TransferMode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small blocking TFTP client for protocol tests that real clients cannot do: drop an ACK, talk
 * from a wrong TID, abort after the OACK, see every packet the server sent.
 */
final class TestClient implements AutoCloseable {
    final DatagramSocket socket;
    private final InetSocketAddress server;
    /** Every packet received, in order. */
    final List<TftpPacket> received = new ArrayList<>();
    InetSocketAddress serverTid;

    TestClient(InetSocketAddress server) throws IOException {
        this.server = server;
        this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        this.socket.setSoTimeout(4000);
    }

    void send(TftpPacket p, InetSocketAddress to) throws IOException {
        byte[] b = TftpCodec.encode(p);
        socket.send(new DatagramPacket(b, b.length, to));
    }

    void sendRaw(byte[] b, InetSocketAddress to) throws IOException {
        socket.send(new DatagramPacket(b, b.length, to));
    }

    void rrq(String file, Map<String, String> options) throws IOException {
        send(new TftpPacket.ReadRequest(file, TransferMode.OCTET, options), server);
    }

    /** The next packet, remembering the server's TID; null on timeout. */
    TftpPacket receive() throws IOException {
        byte[] buf = new byte[TftpCodec.MAX_PACKET];
        DatagramPacket dp = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(dp);
        } catch (SocketTimeoutException e) {
            return null;
        }
        if (serverTid == null) {
            serverTid = (InetSocketAddress) dp.getSocketAddress();
        }
        TftpPacket p = TftpCodec.decode(ByteBuffer.wrap(buf, 0, dp.getLength())).orElseThrow();
        received.add(p);
        return p;
    }

    /** How many DATA packets numbered {@code block} arrived. */
    int copiesOf(int block) {
        return (int) received.stream().filter(p -> p instanceof TftpPacket.Data d && d.block() == block).count();
    }

    /** DATA packets that repeated a block already received (16-bit numbers: for files under 65536 blocks). */
    long duplicateData() {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        return received.stream().filter(p -> p instanceof TftpPacket.Data d && !seen.add(d.block())).count();
    }

    void ack(int block) throws IOException {
        send(new TftpPacket.Ack(block & 0xFFFF), serverTid);
    }

    /**
     * Lock-step download after the first packet (OACK or DATA 1) has been read; {@code dropAckOf}
     * is a block whose first ACK is not sent (the server must retransmit it on timeout).
     */
    byte[] download(TftpPacket first, int blksize, int dropAckOf) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TftpPacket p = first;
        if (p instanceof TftpPacket.OptionAck) {
            ack(0);
            p = receive();
        }
        long expected = 1;
        boolean dropped = false;
        while (true) {
            if (p == null) {
                throw new IOException("timed out waiting for block " + expected);
            }
            if (!(p instanceof TftpPacket.Data d)) {
                throw new IOException("expected DATA, got " + p);
            }
            if (d.block() == (expected & 0xFFFF)) {
                out.write(d.payload());
                if (expected == dropAckOf && !dropped) {
                    dropped = true;
                    // say nothing: the server's timer must resend this block
                    p = receive();
                    if (p instanceof TftpPacket.Data again && again.block() == (expected & 0xFFFF)) {
                        ack(again.block());
                        if (again.payload().length < blksize) {
                            return out.toByteArray();
                        }
                        expected++;
                        p = receive();
                        continue;
                    }
                    throw new IOException("no retransmission of block " + expected + ", got " + p);
                }
                ack(d.block());
                if (d.payload().length < blksize) {
                    return out.toByteArray();
                }
                expected++;
            }
            p = receive();
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
