package io.chainboot.iscsi.server;

import io.chainboot.events.Decoded;
import io.chainboot.iscsi.pdu.Pdu;
import io.chainboot.iscsi.pdu.PduCodec;
import io.chainboot.iscsi.session.Connection;
import org.jboss.logging.Logger;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The TCP portal (RFC 7143 §4.1): blocking NIO channels, one reader thread per connection that frames
 * PDUs ({@link PduCodec}) and hands them to the connection; commands themselves run on the I/O
 * executor the connection was given, and answers go out in gathering writes. A thread per
 * connection keeps framing simple and never blocks other connections on a slow disk or peer.
 */
public final class IscsiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IscsiServer.class);
    /**
     * Per connection, for the small PDUs (headers, commands, NOP-Outs); a data segment larger than
     * what is buffered is read straight into its own array. 32 KiB, not more: every connection holds
     * one for its life, and a boot storm of 3,000 machines with 256 KiB each (750 MiB) ran the
     * service out of heap (bench/storm).
     */
    private static final int READ_BUFFER = 32 * 1024;
    /**
     * Reader threads, shared by every portal of the process and kept a minute after their connection
     * ends: a new connection (the first real login after the start-up warm-up, a machine reconnecting
     * after iPXE hands over to its OS) starts on an existing thread.
     */
    private static final ExecutorService READERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "iscsi-conn-idle");
                t.setDaemon(true);
                return t;
            });

    private final InetSocketAddress bind;
    private final Function<Connection.Transport, Connection> connections;
    private final int nopInIntervalSeconds;
    private final Map<SocketTransport, Connection> live = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private ServerSocketChannel server;
    private Thread acceptor;
    private ScheduledExecutorService pinger;
    private volatile boolean closed;

    public IscsiServer(InetSocketAddress bind, Function<Connection.Transport, Connection> connections,
                       int nopInIntervalSeconds) {
        this.bind = bind;
        this.connections = connections;
        this.nopInIntervalSeconds = nopInIntervalSeconds;
    }

    /** Binds and starts accepting; returns the bound address (port 0 = any free port). */
    public InetSocketAddress start() throws IOException {
        InetSocketAddress bound = bind();
        startAccepting();
        return bound;
    }

    /**
     * Binds the portal without accepting yet: a port conflict shows at once, and initiators that
     * connect before {@link #startAccepting} wait in the listen backlog (their login is answered
     * once accepting starts) instead of being refused.
     */
    public InetSocketAddress bind() throws IOException {
        server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(bind, 256);
        return (InetSocketAddress) server.getLocalAddress();
    }

    /** Starts the accept loop (and the NOP-In pinger) on a bound portal. */
    public void startAccepting() {
        acceptor = new Thread(this::acceptLoop, "iscsi-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        if (nopInIntervalSeconds > 0) {
            pinger = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "iscsi-nop-in");
                t.setDaemon(true);
                return t;
            });
            long nanos = TimeUnit.SECONDS.toNanos(nopInIntervalSeconds);
            pinger.scheduleWithFixedDelay(() -> live.values().forEach(c -> {
                if (c.nanosSinceLastPdu() > nanos) {
                    c.ping(); // never drops a session that does not answer (iPXE does not)
                }
            }), nopInIntervalSeconds, nopInIntervalSeconds, TimeUnit.SECONDS);
        }
    }

    public int connections() {
        return live.size();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                SocketTransport transport = new SocketTransport(ch);
                Connection c = connections.apply(transport);
                live.put(transport, c);
                String name = "iscsi-conn-" + ids.incrementAndGet();
                READERS.execute(() -> {
                    Thread.currentThread().setName(name);
                    readLoop(transport, c);
                    Thread.currentThread().setName("iscsi-conn-idle");
                });
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.warnf("accept failed: %s", e.getMessage());
                }
            }
        }
    }

    private void readLoop(SocketTransport t, Connection c) {
        String reason = "connection closed";
        try {
            ByteBuffer in = ByteBuffer.allocate(READ_BUFFER);
            in.flip();
            while (true) {
                byte[] bhs = new byte[Pdu.BHS_LENGTH];
                readFully(t.channel, in, bhs, 0, bhs.length);
                int ahsLen = PduCodec.ahsLength(bhs);
                int dataLen = PduCodec.dataSegmentLength(bhs);
                boolean hd = c.headerDigest();
                boolean dd = c.dataDigest();
                if (dataLen > c.maxRecvDataSegmentLength()) {
                    c.onInvalid(null, "data segment of " + dataLen + " bytes exceeds MaxRecvDataSegmentLength");
                    reason = "protocol error: oversized data segment";
                    break;
                }
                byte[] ahs = new byte[ahsLen];
                readFully(t.channel, in, ahs, 0, ahsLen);
                Integer hdv = hd ? readDigest(t.channel, in) : null;
                byte[] data = new byte[PduCodec.padded(dataLen)];
                readFully(t.channel, in, data, 0, data.length);
                Integer ddv = dd && dataLen > 0 ? readDigest(t.channel, in) : null;
                Decoded<Pdu> pdu = PduCodec.assemble(bhs, ahs, hdv, ByteBuffer.wrap(data, 0, dataLen), ddv);
                if (pdu instanceof Decoded.Valid<Pdu> v) {
                    c.onPdu(v.value());
                } else {
                    String why = ((Decoded.Invalid<Pdu>) pdu).reason();
                    if (why.startsWith("header digest")) { // the lengths cannot be trusted: resynchronising is ERL 2
                        c.onInvalid(null, why);
                        reason = "protocol error: " + why;
                        break;
                    }
                    c.onInvalid(bhs, why);
                }
                if (!c.fullFeature() && t.closed) {
                    break;
                }
            }
        } catch (EOFException | ClosedChannelException e) {
            // peer closed, or we closed it
        } catch (IOException e) {
            reason = "connection lost";
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s: unexpected failure", c.who());
            reason = "internal error: " + e;
        } catch (OutOfMemoryError e) {
            // this connection ends (its initiator reconnects); the reader thread and the others live on
            LOG.errorf("%s: out of heap, connection closed (%d connections open)", c.who(), live.size());
            reason = "internal error: out of memory";
        } finally {
            live.remove(t);
            c.transportClosed(reason);
            t.close();
        }
    }

    private static Integer readDigest(SocketChannel ch, ByteBuffer in) throws IOException {
        byte[] d = new byte[4];
        readFully(ch, in, d, 0, 4);
        return PduCodec.digestValue(d);
    }

    /** Fills {@code dst[off..off+len)} from the buffered channel; large reads bypass the buffer. */
    private static void readFully(SocketChannel ch, ByteBuffer in, byte[] dst, int off, int len) throws IOException {
        int n = Math.min(in.remaining(), len);
        in.get(dst, off, n);
        off += n;
        len -= n;
        if (len == 0) {
            return;
        }
        if (len >= in.capacity() / 2) {
            ByteBuffer direct = ByteBuffer.wrap(dst, off, len);
            while (direct.hasRemaining()) {
                if (ch.read(direct) < 0) {
                    throw new EOFException();
                }
            }
            return;
        }
        in.clear();
        while (in.position() < len) {
            if (ch.read(in) < 0) {
                throw new EOFException();
            }
        }
        in.flip();
        in.get(dst, off, len);
    }

    @Override
    public void close() {
        closed = true;
        if (pinger != null) {
            pinger.shutdownNow();
        }
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        live.values().forEach(c -> c.end("service stopping"));
        live.clear();
    }

    /** A blocking {@link SocketChannel} as the connection's {@link Connection.Transport}. */
    static final class SocketTransport implements Connection.Transport {
        final SocketChannel channel;
        volatile boolean closed;
        private final InetSocketAddress remote;
        private final InetSocketAddress local;

        SocketTransport(SocketChannel channel) throws IOException {
            this.channel = channel;
            this.remote = (InetSocketAddress) channel.getRemoteAddress();
            this.local = (InetSocketAddress) channel.getLocalAddress();
        }

        @Override
        public void write(ByteBuffer[] buffers, int count) throws IOException {
            int first = 0;
            while (first < count) {
                channel.write(buffers, first, count - first);
                while (first < count && !buffers[first].hasRemaining()) {
                    first++;
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            try {
                channel.close();
            } catch (IOException e) {
                // already closed
            }
        }

        @Override
        public InetSocketAddress remote() {
            return remote;
        }

        @Override
        public InetSocketAddress local() {
            return local;
        }
    }
}
