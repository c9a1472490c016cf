package io.chainboot.tftp.server;

import io.chainboot.events.Decoded;
import io.chainboot.tftp.codec.ErrorCode;
import io.chainboot.tftp.codec.TftpCodec;
import io.chainboot.tftp.codec.TftpPacket;
import io.chainboot.tftp.files.SharedFile;
import io.chainboot.tftp.transfer.ReadTransfer;
import io.chainboot.tftp.transfer.Step;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/**
 * The socket side of one read transfer: its own ephemeral UDP port (its TID, RFC 1350 §4), the
 * shared file view, and a preallocated send buffer. Feeds packets and timeouts to the
 * {@link ReadTransfer} and does what it answers. Runs only on its {@link IoLoop}.
 *
 * <p>Two sockets share the port: {@code peer}, connected to the client, sends every packet and
 * receives the client's; {@code channel}, unconnected, receives whatever else reaches the port
 * (wrong TIDs, and anything the client sent before {@code peer} was connected). Without a peer
 * everything goes through {@code channel}.
 */
final class Session implements IoLoop.Handler, IoLoop.Timed {
    private static final Logger LOG = Logger.getLogger(Session.class);
    private static final int RX_SIZE = 1024;
    private static final int READS_PER_WAKE = 1;
    private static final byte[] UNKNOWN_TID = TftpCodec.encode(new TftpPacket.Error(ErrorCode.UNKNOWN_TID, "unknown transfer ID"));

    private final TftpServer server;
    final IoLoop loop;
    private final DatagramChannel channel;
    private final DatagramChannel peer;
    final InetSocketAddress client;
    private final TransferEvents.Who who;
    private final String file;
    private final SharedFile shared;
    private final ByteBuffer data;
    private final ByteBuffer tx;
    private final ByteBuffer rx = ByteBuffer.allocateDirect(RX_SIZE);
    private final ByteBuffer oack;
    private final ReadTransfer transfer;
    private final Long tsize;
    private SelectionKey key;
    private SelectionKey peerKey;
    private long pumpNext;
    private long pumpTo = -1;
    private boolean writeInterest;
    private boolean startedPublished;
    private long startNanos;
    private long bytesSent;
    private boolean finished;

    Session(TftpServer server, IoLoop loop, DatagramChannel channel, DatagramChannel peer, InetSocketAddress client,
            TransferEvents.Who who,
            String file, SharedFile shared, ReadTransfer transfer, byte[] oack, Long tsize) {
        this.server = server;
        this.loop = loop;
        this.channel = channel;
        this.peer = peer;
        this.client = client;
        this.who = who;
        this.file = file;
        this.shared = shared;
        this.data = shared.view();
        this.transfer = transfer;
        this.tx = ByteBuffer.allocateDirect(transfer.blksize() + 4);
        this.oack = oack == null ? null : ByteBuffer.wrap(oack);
        this.tsize = tsize;
    }

    /** On the loop: register the socket and send the first packet. */
    void begin() {
        try {
            key = channel.register(loop.selector, SelectionKey.OP_READ, this);
            if (peer != null) {
                peerKey = peer.register(loop.selector, SelectionKey.OP_READ, this);
            }
        } catch (IOException e) {
            finish(Step.TIMED_OUT, "cannot register socket: " + e.getMessage());
            return;
        }
        startNanos = System.nanoTime();
        Step s = transfer.start(startNanos);
        loop.addTimed(this);
        act(s);
    }

    @Override
    public long deadline() {
        return transfer.deadline();
    }

    @Override
    public void onDeadline(long now) {
        if (!finished) {
            act(transfer.onTimeout(now));
        }
    }

    @Override
    public void onReady(SelectionKey k) {
        if (finished) {
            return;
        }
        if (k.isWritable()) {
            pump();
        }
        if (k.isValid() && k.isReadable()) {
            if (k == peerKey) {
                readPeer();
            } else {
                readAll();
            }
        }
    }

    /** One datagram from the connected socket: it can only come from the client. */
    private void readPeer() {
        rx.clear();
        int n;
        try {
            n = peer.read(rx);
        } catch (IOException e) {
            socketError("receive", e); // the error is consumed; a queued datagram is read on the next wake-up
            return;
        }
        if (n <= 0) {
            return;
        }
        rx.flip();
        fromClient();
    }

    /**
     * Reads up to {@link #READS_PER_WAKE} datagrams. The selector is level-triggered, so anything
     * left wakes us again; one read per wake saves the empty {@code recvfrom} that draining would
     * cost on every lock-step ACK.
     */
    private void readAll() {
        for (int i = 0; i < READS_PER_WAKE && !finished; i++) {
            rx.clear();
            SocketAddress from;
            try {
                from = channel.receive(rx);
            } catch (IOException e) {
                socketError("receive", e);
                return;
            }
            if (from == null) {
                return;
            }
            rx.flip();
            if (!client.equals(from)) {
                wrongTid(from);
                continue;
            }
            fromClient();
        }
    }

    /** A datagram from the client's TID is in {@code rx}: an ACK, an ERROR, or something to ignore. */
    private void fromClient() {
        int ack = TftpCodec.peekAck(rx);
        if (ack >= 0) {
            act(transfer.onAck(ack, System.nanoTime()));
            return;
        }
        Decoded<TftpPacket> d = TftpCodec.decode(rx);
        if (d instanceof Decoded.Valid<TftpPacket> v && v.value() instanceof TftpPacket.Error e) {
            lastClientError = "client error " + e.rawCode() + ": " + TftpCodec.printable(e.message());
            act(transfer.onError());
        } else if (d instanceof Decoded.Invalid<TftpPacket> inv) {
            server.metrics.invalidPackets.increment();
            LOG.debugf("%s invalid packet on transfer of %s: %s", who, file, inv.reason());
        }
        // other valid packets (DATA, RRQ…) on a read transfer's TID are ignored
    }

    private String lastClientError;

    /**
     * The socket reported an error, normally the ICMP port unreachable a connected socket receives
     * after sending to a client port that is closed. Treated like a lost packet, as an unconnected
     * socket would (it never sees these errors): the retransmission timer decides. Ending the
     * transfer here would be wrong: a client that got the last block may have closed its port
     * after its final ACK, which is still queued behind the error (the kernel reports a pending
     * error before queued datagrams), and a PXE ROM that closes its port after the OACK is a
     * probe, not a failure.
     */
    private void socketError(String what, IOException e) {
        LOG.debugf("%s %s on the transfer of %s failed (treated as a lost packet): %s", who, what, file, e);
    }

    private void wrongTid(SocketAddress from) {
        server.metrics.wrongTid.increment();
        LOG.debugf("%s packet from wrong TID %s during transfer of %s: ERROR 5", who, from, file);
        try {
            channel.send(ByteBuffer.wrap(UNKNOWN_TID), from);
        } catch (IOException e) {
            // best effort (RFC 1350 §4: the error packet is not retransmitted)
        }
    }

    private void act(Step step) {
        switch (step) {
            case SEND_OACK:
                oack.rewind();
                send(oack);
                break;
            case SEND_WINDOW:
                if (!startedPublished) {
                    startedPublished = true;
                    server.events.started(who, file, transfer.blksize(), transfer.window(), tsize);
                    LOG.debugf("%s sending %s blksize=%d windowsize=%d", who, file, transfer.blksize(), transfer.window());
                }
                pumpNext = transfer.sendFrom();
                pumpTo = transfer.sendTo();
                pump();
                break;
            case IGNORE:
                break;
            case COMPLETED:
                finish(step, null);
                break;
            case PROBE_ENDED:
                finish(step, null);
                break;
            case TIMED_OUT:
                finish(step, "timed out after " + server.settings.retries() + " retries");
                break;
            case CLIENT_ABORTED:
                finish(step, lastClientError == null ? "client error" : lastClientError);
                break;
            default:
                throw new AssertionError(step);
        }
    }

    /** Sends blocks pumpNext..pumpTo; stops and waits for OP_WRITE when the socket buffer is full. */
    private void pump() {
        while (pumpNext <= pumpTo) {
            long block = pumpNext;
            long off = transfer.offsetOf(block);
            int len = transfer.lengthOf(block);
            TftpCodec.putDataHeader(tx, block);
            data.limit((int) off + len).position((int) off);
            tx.clear().position(4);
            tx.put(data);
            tx.flip();
            int n;
            try {
                n = peer != null ? peer.write(tx) : channel.send(tx, client);
            } catch (IOException e) {
                socketError("send", e); // as if the datagram were lost on the way
                pumpNext++;
                continue;
            }
            if (n == 0) {
                setWriteInterest(true);
                return;
            }
            bytesSent += len;
            pumpNext++;
        }
        setWriteInterest(false);
    }

    private void send(ByteBuffer packet) {
        try {
            if (peer != null) {
                peer.write(packet);
            } else {
                channel.send(packet, client);
            }
        } catch (IOException e) {
            socketError("send", e);
        }
    }

    private void setWriteInterest(boolean on) {
        SelectionKey k = peer != null ? peerKey : key;
        if (on != writeInterest && k != null && k.isValid()) {
            writeInterest = on;
            k.interestOps(on ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
    }

    boolean isFinished() {
        return finished;
    }

    /** At shutdown, after the loops stopped. */
    void closeQuietly() {
        if (!finished) {
            finished = true;
            closeChannels();
            shared.release();
        }
    }

    private void closeChannels() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do with it
        }
        if (peer != null) {
            try {
                peer.close();
            } catch (IOException ignored) {
                // nothing left to do with it
            }
        }
    }

    void finish(Step outcome, String reason) {
        if (finished) {
            return;
        }
        finished = true;
        loop.removeTimed(this);
        if (key != null) {
            key.cancel();
        }
        if (peerKey != null) {
            peerKey.cancel();
        }
        closeChannels();
        shared.release();
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        long retrans = transfer.retransmits();
        server.metrics.bytesSent.increment(bytesSent);
        server.metrics.retransmits.increment(retrans);
        switch (outcome) {
            case COMPLETED:
                server.metrics.completed.increment();
                server.events.completed(who, file, shared.size(), ms, transfer.blksize(), transfer.window(), retrans);
                LOG.infof("%s sent %s: %d bytes in %d ms, blksize=%d windowsize=%d retransmits=%d",
                        who, file, shared.size(), ms, transfer.blksize(), transfer.window(), retrans);
                break;
            case PROBE_ENDED:
                server.metrics.probes.increment();
                LOG.debugf("%s option probe for %s ended by the client (normal)", who, file);
                break;
            default:
                server.metrics.failed.increment();
                server.events.failed(who, file, reason, transfer.bytesAcked());
                LOG.warnf("%s transfer of %s failed after %d bytes: %s", who, file, transfer.bytesAcked(), reason);
        }
        server.ended(this);
    }
}
