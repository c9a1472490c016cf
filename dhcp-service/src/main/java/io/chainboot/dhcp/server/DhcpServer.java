package io.chainboot.dhcp.server;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.common.MachineDirectory;
import io.chainboot.dhcp.boot.ClientInfo;
import io.chainboot.dhcp.codec.DhcpCodec;
import io.chainboot.dhcp.codec.DhcpPacket;
import io.chainboot.dhcp.codec.MessageType;
import io.chainboot.dhcp.ha.Ha;
import io.chainboot.dhcp.lease.LeaseRules;
import io.chainboot.dhcp.lease.LeaseTable;
import io.chainboot.events.BootEvent;
import io.chainboot.events.Decoded;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The socket side: NIO datagram channels on the server port (67) and, in proxy mode, the
 * proxyDHCP port (4011), with SO_BROADCAST and SO_REUSEADDR. One receive thread per channel
 * frames bytes, decodes them ({@link DhcpCodec}), applies the rate limits, asks the
 * {@link DhcpResponder} and sends what it answers. Bad packets are counted and logged, never thrown.
 *
 * <p>Java cannot set SO_BINDTODEVICE, and a socket bound to an interface's own address does not
 * receive 255.255.255.255 broadcasts on Linux; so the server binds {@code bind-address}
 * (0.0.0.0 by default) and serves whatever reaches it: run it on a host or namespace whose only
 * DHCP-facing interface is the boot LAN (the docker-compose service and the tests do).
 */
public final class DhcpServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DhcpServer.class);

    private final DhcpSettings settings;
    private final DhcpResponder responder;
    private final Optional<LeaseTable> leases;
    /** Full mode: the local pool's table, then one per relayed subnet (its journal in {@code <state>/relay-<network>}). */
    private final List<LeaseTable> tables = new ArrayList<>();
    private final BootEventPublisher publisher;
    private final LeaseSink leaseSink;
    private final RateLimiter limiter;
    private final DhcpMetrics metrics;
    private final MachineDirectory machines;
    private final List<DatagramChannel> channels = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong answered = new AtomicLong();
    private ScheduledExecutorService housekeeping;
    private volatile DatagramChannel replyChannel;
    private volatile InetSocketAddress boundAddress;
    private volatile boolean running;
    private volatile java.util.function.Consumer<MacAddress> bootClients = mac -> { };
    /** HA (docs/dhcp-ha.md); empty for a single instance. */
    private final Optional<Ha> ha;

    public DhcpServer(DhcpSettings settings, MachineDirectory machines, EventSource source, BootEventPublisher publisher,
                      LeaseSink leaseSink, MeterRegistry registry) throws IOException {
        this(settings, machines, source, publisher, leaseSink, registry, Optional.empty());
    }

    /** As above; with {@code ha}, one of several instances sharing the full-mode pools. */
    public DhcpServer(DhcpSettings settings, MachineDirectory machines, EventSource source, BootEventPublisher publisher,
                      LeaseSink leaseSink, MeterRegistry registry, Optional<Ha> ha) throws IOException {
        this.ha = settings.mode() == Mode.FULL ? ha : Optional.empty();
        this.settings = settings;
        this.publisher = publisher;
        this.leaseSink = leaseSink;
        this.metrics = new DhcpMetrics(registry);
        this.machines = machines;
        this.limiter = new RateLimiter(settings.perMacPerSecond(), settings.globalPerSecond());
        if (settings.mode() == Mode.FULL) {
            this.leases = Optional.of(new LeaseTable(settings.pool().orElseThrow(
                    () -> new IllegalArgumentException("full mode needs chainboot.dhcp.pool.start/end/subnet-mask")),
                    settings.stateDir(), settings.fsync(), machines::reservedBy, rules(settings.pool().get())));
            tables.add(leases.get());
            for (io.chainboot.dhcp.lease.Pool p : settings.relayPools()) {
                Ipv4Address network = new Ipv4Address(p.start().value() & p.subnetMask().value());
                tables.add(new LeaseTable(p, settings.stateDir().resolve("relay-" + network), settings.fsync(),
                        machines::reservedBy, rules(p)));
            }
            io.micrometer.core.instrument.Gauge.builder("chainboot.dhcp.leases.active", this,
                    s -> s.tables.stream().mapToInt(t -> t.activeCount(Instant.now())).sum())
                    .description("leases not yet expired, every pool").register(registry);
        } else {
            this.leases = Optional.empty();
        }
        this.responder = new DhcpResponder(settings, tables, machines, source, this.ha.map(Ha::gate));
        this.ha.ifPresent(h -> {
            Gauge.builder("chainboot.dhcp.ha.peers.down", h, x -> x.liveness().downCount(Instant.now()))
                    .description("HA instances whose heartbeat is older than partner-down-after").register(registry);
            Gauge.builder("chainboot.dhcp.ha.view.current", h, x -> x.liveness().viewCurrent(Instant.now()) ? 1 : 0)
                    .description("1 while this instance's view of chainboot.leases is current, else 0").register(registry);
            FunctionCounter.builder("chainboot.dhcp.ha.conflicts", h, Ha::conflicts)
                    .description("leases topic records naming another client for an address held here (must stay 0)")
                    .register(registry);
            FunctionCounter.builder("chainboot.dhcp.ha.deferred", h, Ha::deferred)
                    .description("requests left unanswered for the instance that owns them").register(registry);
        });
    }

    private LeaseRules rules(io.chainboot.dhcp.lease.Pool pool) {
        return ha.map(h -> h.rulesFor(pool)).orElse(LeaseRules.SINGLE);
    }

    /** Full mode: the local pool's table, then one per relayed subnet (HA: fed from the topic by {@code HaLink}). */
    public List<LeaseTable> tables() {
        return List.copyOf(tables);
    }

    /**
     * Publishes every active lease of this instance's shares (HA: once the lease view is loaded, so
     * the republished expiry is the latest known; a single instance does it in {@link #start()}).
     */
    public void republishOwnLeases() {
        Instant now = Instant.now();
        for (LeaseTable t : tables) {
            t.activeLeases(now).stream().filter(l -> t.rules().ownShare().test(l.ip()))
                    .forEach(l -> leaseSink.accept(new Reply.LeaseChange.Put(l)));
        }
    }

    /** Told the MAC of every admitted PXE/iPXE request (the router-advertisement responder's booting machines). */
    public void onBootClient(java.util.function.Consumer<MacAddress> sink) {
        this.bootClients = sink;
    }

    /** Binds the sockets and starts serving; returns the bound server-port address. */
    public InetSocketAddress start() throws IOException {
        running = true;
        DatagramChannel main = open(new InetSocketAddress(settings.bindAddress(), settings.port()));
        InetSocketAddress bound = (InetSocketAddress) main.getLocalAddress();
        replyChannel = main;
        if (settings.bindAddress().isAnyLocalAddress()) {
            // Linux sends a limited broadcast (255.255.255.255) out of the interface that owns the
            // sending socket's source address: a second socket bound to server-address:port makes
            // replies leave on the boot LAN without SO_BINDTODEVICE or a route. It also receives
            // the unicast requests (renewals) addressed to us, so it is served like the first.
            try {
                replyChannel = open(new InetSocketAddress(settings.serverAddress().toInetAddress(), bound.getPort()));
                listen(replyChannel, false);
            } catch (IOException e) {
                LOG.warnf("cannot bind %s:%d for replies (%s); broadcasts follow the routing table",
                        settings.serverAddress(), bound.getPort(), e.toString());
                replyChannel = main;
            }
        }
        listen(main, false);
        if (settings.mode() == Mode.PROXY && settings.proxyPort() > 0) {
            DatagramChannel proxy = open(new InetSocketAddress(settings.bindAddress(), settings.proxyPort()));
            listen(proxy, true);
        }
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dhcp-housekeeping");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleWithFixedDelay(this::housekeep, 1, 5, TimeUnit.SECONDS);
        if (ha.isEmpty()) {
            tables.forEach(t -> t.activeLeases(Instant.now()).forEach(l -> leaseSink.accept(new Reply.LeaseChange.Put(l))));
        }
        boundAddress = bound;
        return bound;
    }

    private DatagramChannel open(InetSocketAddress at) throws IOException {
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.setOption(StandardSocketOptions.SO_BROADCAST, true);
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            ch.bind(at);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot bind udp " + at.getAddress().getHostAddress() + ":" + at.getPort() + ": " + e.getMessage(), e);
        }
        channels.add(ch);
        return ch;
    }

    private void listen(DatagramChannel ch, boolean proxy) throws IOException {
        InetSocketAddress local = (InetSocketAddress) ch.getLocalAddress();
        Thread t = new Thread(() -> receiveLoop(ch, proxy), "dhcp-" + (proxy ? "proxy-" : "")
                + local.getAddress().getHostAddress() + ":" + local.getPort());
        t.setDaemon(true);
        t.start();
        threads.add(t);
        LOG.infof("DHCP %s mode listening on udp %s:%d%s", settings.mode().wire(), local.getAddress().getHostAddress(),
                local.getPort(), proxy ? " (proxyDHCP)" : "");
    }

    private void receiveLoop(DatagramChannel ch, boolean proxy) {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        while (running) {
            try {
                buf.clear();
                InetSocketAddress from = (InetSocketAddress) ch.receive(buf);
                if (from == null) {
                    continue;
                }
                buf.flip();
                handle(ch, buf.array(), buf.limit(), from, proxy);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (running) {
                    LOG.warnf("DHCP receive loop: %s", e.toString());
                }
            }
        }
    }

    /**
     * One datagram: decode, admit, decide, send. Never throws for bad input. The hot path of the
     * service (2 calls per DORA exchange): debug lines are formatted only when DEBUG is on, and the
     * MAC's text is made once for the MDC and every line.
     */
    void handle(DatagramChannel ch, byte[] data, int length, InetSocketAddress from, boolean proxy) {
        Decoded<DhcpPacket> d = DhcpCodec.decode(data, 0, length);
        if (d instanceof Decoded.Invalid<DhcpPacket> bad) {
            metrics.malformed.increment();
            LOG.debugf("dropped malformed DHCP packet from %s: %s", from, bad.reason());
            return;
        }
        DhcpPacket req = d.orElseThrow();
        Optional<MacAddress> mac = req.mac();
        Optional<MessageType> messageType = req.messageType();
        String type = messageType.isPresent() ? messageType.get().name() : "NONE";
        metrics.received(type);
        boolean debug = LOG.isDebugEnabled();
        if (!machines.loaded()) {
            // ready means ready: an unknown machine now may be a declared one not read yet; the
            // client retransmits (RFC 2131 §4.1) and is answered once the view is loaded
            metrics.viewLoading.increment();
            if (debug) {
                LOG.debugf("%s %s: not answered, machine view still loading", macText(mac), type);
            }
            return;
        }
        if (ha.isPresent() && !ha.get().loaded()) {
            // HA: the other instances' leases (and their extensions of ours) are not known yet
            metrics.leaseViewLoading.increment();
            if (debug) {
                LOG.debugf("%s %s: not answered, lease view still loading", macText(mac), type);
            }
            return;
        }
        if (mac.isPresent()) {
            RateLimiter.Verdict v = limiter.admit(mac.get(), System.nanoTime());
            if (v != RateLimiter.Verdict.ADMIT) {
                (v == RateLimiter.Verdict.PER_MAC ? metrics.ratePerMac : metrics.rateGlobal).increment();
                LOG.debugf("%s rate limited (%s)", mac.get(), v);
                return;
            }
        }
        String macText = macText(mac);
        MDC.put("mac", macText);
        try {
            if (mac.isPresent() && ClientInfo.of(req).isBootClient()) {
                bootClients.accept(mac.get());
            }
            Ingress ingress = new Ingress(Ipv4Address.of(from.getAddress()), from.getPort(), proxy);
            Reply reply;
            try {
                reply = responder.replyTo(req, ingress, Instant.now());
            } catch (RuntimeException e) {
                metrics.malformed.increment();
                LOG.warnf("%s: cannot answer %s: %s", macText, type, e.toString());
                return;
            }
            if (reply instanceof Reply.Send s) {
                send(proxy ? ch : replyChannel, s, macText, debug);
            } else {
                metrics.ignored.increment();
                if (debug) {
                    LOG.debugf("%s %s: no reply: %s", macText, type, ((Reply.Silent) reply).reason());
                }
            }
            List<BootEvent> events = reply.events();
            for (int i = 0; i < events.size(); i++) {
                publisher.publish(events.get(i));
            }
            List<Reply.LeaseChange> changes = reply.leaseChanges();
            for (int i = 0; i < changes.size(); i++) {
                leaseSink.accept(changes.get(i));
            }
        } finally {
            MDC.remove("mac");
        }
    }

    private static String macText(Optional<MacAddress> mac) {
        return mac.isPresent() ? mac.get().toString() : "-";
    }

    /** The last reply's destination and socket address (nearly every reply goes to 255.255.255.255:68): built once. */
    private record Target(Destination to, InetSocketAddress address) {
    }

    private volatile Target lastTarget;

    private InetSocketAddress target(Destination to) {
        Target t = lastTarget;
        if (t == null || !t.to().equals(to)) {
            t = new Target(to, new InetSocketAddress(to.ip().toInetAddress(), to.port()));
            lastTarget = t;
        }
        return t.address();
    }

    private void send(DatagramChannel ch, Reply.Send s, String macText, boolean debug) {
        byte[] out = DhcpCodec.encode(s.packet(), s.maxLength());
        Optional<MessageType> mt = s.packet().messageType();
        String type = mt.isPresent() ? mt.get().name() : "?";
        try {
            ch.send(ByteBuffer.wrap(out), target(s.to()));
            metrics.sent(type);
            answered.incrementAndGet();
            if (debug) {
                LOG.debugf("%s %s yiaddr=%s file=%s -> %s:%d", macText, type, s.packet().yiaddr(), s.packet().file(),
                        s.to().ip(), s.to().port());
            }
        } catch (IOException e) {
            metrics.sendErrors.increment();
            LOG.warnf("%s: sending %s to %s failed: %s", macText, type, s.to(), e.toString());
        }
    }

    private void housekeep() {
        try {
            limiter.sweep(System.nanoTime());
            tables.forEach(t -> t.expire(Instant.now()).forEach(l -> {
                LOG.infof("%s lease of %s expired", l.mac(), l.ip());
                if (t.rules().ownShare().test(l.ip()) || !t.pool().inRange(l.ip())) { // HA: the owner writes the tombstone
                    leaseSink.accept(new Reply.LeaseChange.Remove(l.ip()));
                }
            }));
        } catch (RuntimeException e) {
            LOG.warnf("DHCP housekeeping: %s", e.toString());
        }
    }

    public DhcpMetrics metrics() {
        return metrics;
    }

    /** The local pool's lease table (full mode). */
    public Optional<LeaseTable> leases() {
        return leases;
    }

    /** The server-port address bound by {@link #start()} (useful with port 0). */
    public InetSocketAddress boundAddress() {
        return boundAddress;
    }

    public long answered() {
        return answered.get();
    }

    /** HA: records read from Kafka that named another client for an address held here (0 without HA). */
    public long haConflicts() {
        return ha.map(Ha::conflicts).orElse(0L);
    }

    @Override
    public void close() {
        running = false;
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        for (DatagramChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.debugf("closing %s: %s", ch, e);
            }
        }
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        tables.forEach(LeaseTable::close);
    }
}
