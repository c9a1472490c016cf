package io.chainboot.tftp.server;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.common.LeaseDirectory;
import io.chainboot.events.Decoded;
import io.chainboot.events.EventSource;
import io.chainboot.tftp.codec.ErrorCode;
import io.chainboot.tftp.codec.TftpCodec;
import io.chainboot.tftp.codec.TftpPacket;
import io.chainboot.tftp.codec.TransferMode;
import io.chainboot.tftp.files.BootFileRoot;
import io.chainboot.tftp.files.OpenFileCache;
import io.chainboot.tftp.files.GrubNames;
import io.chainboot.tftp.files.Resolution;
import io.chainboot.tftp.files.SharedFile;
import io.chainboot.tftp.transfer.Negotiated;
import io.chainboot.tftp.transfer.OptionNegotiation;
import io.chainboot.tftp.transfer.ReadTransfer;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A read-only TFTP server (RFC 1350, options RFC 2347/2348/2349/7440) on NIO: the listening socket
 * takes read requests on the first {@link IoLoop}; each accepted transfer gets its own ephemeral
 * socket (a new TID, RFC 1350 §4) on one of the loops, round robin. No Quarkus here: the service
 * bean wires it, tests build it directly.
 */
public final class TftpServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TftpServer.class);
    private static final int SEND_BUFFER = 1 << 20;
    /** Requests that may wait in line per transfer slot (8 × max-transfers in all). */
    static final int WAITING_PER_SLOT = 8;
    /**
     * A waiting client that has not retransmitted its request for this long has given up (PXE ROMs
     * retransmit at 1-8 s intervals): it is dropped from the line instead of getting a slot.
     */
    static final long WAITING_STALE_NANOS = TimeUnit.SECONDS.toNanos(20);

    final TftpSettings settings;
    final TransferEvents events;
    final TftpMetrics metrics;
    private final BootFileRoot root;
    private final OpenFileCache files = new OpenFileCache();
    private final IoLoop[] loops;
    private final Map<InetSocketAddress, Session> active = new ConcurrentHashMap<>();
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final ByteBuffer requestBuffer = ByteBuffer.allocateDirect(TftpCodec.MAX_PACKET);
    /** Requests beyond max-transfers, in arrival order; touched on the first loop only (like the listener). */
    private final WaitingRequests waiting;
    /** script-service's GRUB configurations; null = not forwarded. */
    private final GrubConfigFetcher grubConfigs;
    /** Clients whose GRUB configuration is being fetched (their retransmissions are ignored meanwhile). */
    private final java.util.Set<InetSocketAddress> fetching = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private DatagramChannel listener;
    private InetSocketAddress bound;

    public TftpServer(TftpSettings settings, BootEventPublisher publisher, LeaseDirectory leases, EventSource source,
                      MeterRegistry registry) throws IOException {
        this.settings = settings;
        this.root = new BootFileRoot(settings.root());
        this.grubConfigs = settings.grubConfigUrl().map(GrubConfigFetcher::new).orElse(null);
        this.events = new TransferEvents(publisher, leases, source);
        this.metrics = new TftpMetrics(registry);
        this.waiting = new WaitingRequests(WAITING_PER_SLOT * settings.maxTransfers(), WAITING_STALE_NANOS);
        this.loops = new IoLoop[settings.ioThreads()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new IoLoop("tftp-io-" + i);
        }
    }

    /** Binds the listening socket and starts the loops; returns the bound address (port 0 → the real port). */
    public InetSocketAddress start() throws IOException {
        listener = DatagramChannel.open();
        listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        listener.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        listener.bind(settings.bind());
        listener.configureBlocking(false);
        bound = (InetSocketAddress) listener.getLocalAddress();
        for (IoLoop l : loops) {
            l.start();
        }
        IoLoop first = loops[0];
        first.execute(() -> {
            try {
                listener.register(first.selector, SelectionKey.OP_READ, (IoLoop.Handler) k -> onRequests());
            } catch (IOException e) {
                LOG.error("cannot register the TFTP listener", e);
            }
        });
        LOG.infof("TFTP listening on %s, root %s, blksize cap %d, window cap %d, max %d transfers",
                bound, root.path(), settings.limits().maxBlksize(), settings.limits().maxWindow(), settings.maxTransfers());
        return bound;
    }

    public InetSocketAddress boundAddress() {
        return bound;
    }

    public int activeTransfers() {
        return active.size();
    }

    public int openFiles() {
        return files.openFiles();
    }

    private void onRequests() {
        for (int i = 0; i < 64; i++) {
            requestBuffer.clear();
            SocketAddress from;
            try {
                from = listener.receive(requestBuffer);
            } catch (IOException e) {
                LOG.debugf("listener receive failed: %s", e.getMessage());
                return;
            }
            if (from == null) {
                return;
            }
            requestBuffer.flip();
            InetSocketAddress client = (InetSocketAddress) from;
            Decoded<TftpPacket> d = TftpCodec.decode(requestBuffer);
            if (d instanceof Decoded.Invalid<TftpPacket> inv) {
                metrics.invalidPackets.increment();
                LOG.debugf("%s invalid packet on the TFTP port: %s", events.who(client.getAddress()), inv.reason());
                continue;
            }
            TftpPacket p = d.orElseThrow();
            if (p instanceof TftpPacket.ReadRequest rrq) {
                onReadRequest(rrq, client);
            } else if (p instanceof TftpPacket.WriteRequest wrq) {
                metrics.refused.increment();
                LOG.infof("%s write request for %s refused: read-only server", events.who(client.getAddress()),
                        TftpCodec.printable(wrq.filename()));
                replyError(client, ErrorCode.ACCESS_VIOLATION, "read-only server: write requests are refused");
            }
            // ACK/DATA/ERROR/OACK to the listening port belong to no transfer: ignored
        }
    }

    private void onReadRequest(TftpPacket.ReadRequest rrq, InetSocketAddress client) {
        Session existing = active.get(client);
        if (existing != null) {
            // Either a repeated RRQ (the running transfer already answers it: ignore), or a PXE ROM
            // that sent ERROR 8 after a tsize probe and asks again from the same port. The ERROR is
            // already queued on the old transfer's socket: let its loop read it, then look again.
            existing.loop.execute(() -> {
                if (existing.isFinished()) {
                    loops[0].execute(() -> onReadRequest(rrq, client));
                }
            });
            return;
        }
        TransferEvents.Who who = events.who(client.getAddress());
        String name = TftpCodec.printable(rrq.filename());
        if (rrq.mode() == TransferMode.MAIL) {
            metrics.refused.increment();
            replyError(client, ErrorCode.ILLEGAL_OPERATION, "mail mode is not supported");
            return;
        }
        if (active.size() >= settings.maxTransfers()) {
            // Admission control: no ERROR (it ends a PXE ROM's boot; found by bench/storm, 1,000
            // machines in 10 s on two cores). The request waits in line and its transfer starts when
            // a slot frees, first come first served; the client meanwhile retransmits it (RFC 1350
            // §2), which only keeps its place. Beyond the line's capacity it is left unanswered.
            metrics.busy.increment();
            boolean queued = waiting.offer(rrq, client, System.nanoTime());
            LOG.debugf("%s read request for %s %s: %d transfers running", who, name,
                    queued ? "waits in line (" + waiting.size() + " waiting)" : "not answered (the line is full)", active.size());
            return;
        }
        java.util.Optional<String> grub = grubConfigs == null ? java.util.Optional.empty() : GrubNames.rendered(rrq.filename());
        if (grub.isPresent()) {
            renderedByScriptService(rrq, client, who, grub.get());
            return;
        }
        Resolution r = root.resolve(rrq.filename());
        if (r instanceof Resolution.Refused no) {
            metrics.refused.increment();
            if (no.code() == ErrorCode.FILE_NOT_FOUND && settings.optionalFiles().contains(GrubNames.relative(rrq.filename()))) {
                // a loader's probe for a file it boots without (shim's revocation lists, GRUB's module lists)
                LOG.debugf("%s read request for %s (optional, absent): file not found", who, name);
            } else {
                LOG.infof("%s read request for %s refused: %s", who, name, no.reason());
                events.failed(who, name, no.reason(), 0);
            }
            replyError(client, no.code(), no.code() == ErrorCode.FILE_NOT_FOUND ? "file not found" : "access violation");
            return;
        }
        Resolution.Found found = (Resolution.Found) r;
        SharedFile shared;
        try {
            shared = files.acquire(found.path(), rrq.mode());
        } catch (IOException | RuntimeException e) {
            metrics.refused.increment();
            LOG.warnf("%s cannot open %s: %s", who, name, e.getMessage());
            events.failed(who, found.name(), "cannot open: " + e.getMessage(), 0);
            replyError(client, ErrorCode.ACCESS_VIOLATION, "cannot open file");
            return;
        }
        begin(rrq, client, who, found.name(), shared);
    }

    /**
     * The Secure Boot path's GRUB configuration: fetched from script-service (on the HTTP client's thread),
     * then sent like a file. Retransmitted requests while it is fetched are ignored; a failed fetch is
     * ERROR 1 and {@code tftp.failed} with script-service's answer as the reason.
     */
    private void renderedByScriptService(TftpPacket.ReadRequest rrq, InetSocketAddress client, TransferEvents.Who who,
                                         String file) {
        if (!fetching.add(client)) {
            return;
        }
        String name = "grub/" + file;
        grubConfigs.fetch(file, client.getAddress()).whenComplete((bytes, err) -> loops[0].execute(() -> {
            fetching.remove(client);
            if (err != null) {
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                        ? err.getCause() : err;
                metrics.refused.increment();
                LOG.warnf("%s read request for %s: no configuration from script-service: %s", who, name, cause.toString());
                events.failed(who, name, "script-service: " + cause.getMessage(), 0);
                replyError(client, ErrorCode.FILE_NOT_FOUND, "file not found");
                return;
            }
            begin(rrq, client, who, name, SharedFile.inMemory(bytes));
        }));
    }

    private void begin(TftpPacket.ReadRequest rrq, InetSocketAddress client, TransferEvents.Who who, String fileName,
                       SharedFile shared) {
        Negotiated n = OptionNegotiation.negotiate(rrq.options(), shared.size(), settings.limits());
        DatagramChannel ch;
        try {
            ch = DatagramChannel.open();
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, settings.connectedSockets()); // shared with the connected twin
            ch.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
            ch.bind(new InetSocketAddress(settings.bind().getAddress(), 0));
            ch.configureBlocking(false);
        } catch (IOException e) {
            shared.release();
            LOG.warnf("%s cannot open a transfer socket: %s", who, e.getMessage());
            replyError(client, ErrorCode.NOT_DEFINED, "server error");
            return;
        }
        DatagramChannel peer = settings.connectedSockets() ? connectedTwin(ch, client, who) : null;
        ReadTransfer t = new ReadTransfer(shared.size(), n.blksize(), n.windowsize(),
                TimeUnit.MILLISECONDS.toNanos(n.timeoutMs()), settings.retries(), n.needsOack());
        byte[] oack = n.needsOack() ? TftpCodec.encode(new TftpPacket.OptionAck(n.oack())) : null;
        IoLoop loop = loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)];
        Session s = new Session(this, loop, ch, peer, client, who, fileName, shared, t, oack, n.tsize());
        active.put(client, s);
        metrics.active.set(active.size());
        loop.execute(s::begin);
    }

    /**
     * A second socket on the transfer's own port (its TID), {@code connect()}ed to the client, used
     * for everything exchanged with the client: a connected UDP socket skips the route lookup and
     * address copy of every {@code sendto} (measured: 2.6 vs 3.1 µs per 1472-byte datagram on
     * loopback). The unconnected socket stays bound beside it, so a packet from any other address
     * still reaches the transfer and gets ERROR 5 (RFC 1350 §4) instead of an ICMP port
     * unreachable: the kernel delivers to the connected socket only what comes from the client.
     * Both carry SO_REUSEADDR to share the port. Null (send from the unconnected socket) if the
     * twin cannot be made.
     */
    private DatagramChannel connectedTwin(DatagramChannel ch, InetSocketAddress client, TransferEvents.Who who) {
        DatagramChannel peer = null;
        try {
            peer = DatagramChannel.open();
            peer.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            peer.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
            peer.bind(ch.getLocalAddress());
            peer.connect(client);
            peer.configureBlocking(false);
            return peer;
        } catch (IOException | RuntimeException e) {
            LOG.debugf("%s no connected socket for the transfer (sending unconnected): %s", who, e.getMessage());
            if (peer != null) {
                try {
                    peer.close();
                } catch (IOException ignored) {
                    // giving it up anyway
                }
            }
            return null;
        }
    }

    void ended(Session s) {
        active.remove(s.client, s);
        metrics.active.set(active.size());
        loops[0].execute(this::admitWaiting);
    }

    /** Starts the transfers of waiting requests while slots are free (on the first loop). */
    private void admitWaiting() {
        while (active.size() < settings.maxTransfers()) {
            var next = waiting.next(System.nanoTime());
            if (next.isEmpty()) {
                return;
            }
            onReadRequest(next.get().rrq(), next.get().client());
        }
    }

    private void replyError(InetSocketAddress client, ErrorCode code, String message) {
        try {
            listener.send(ByteBuffer.wrap(TftpCodec.encode(new TftpPacket.Error(code, message))), client);
        } catch (IOException e) {
            LOG.debugf("cannot send ERROR to %s: %s", client, e.getMessage());
        }
    }

    @Override
    public void close() {
        for (IoLoop l : loops) {
            l.stop();
        }
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException ignored) {
            // closing
        }
        for (Session s : active.values()) {
            s.closeQuietly();
        }
        active.clear();
    }
}
