package io.chainboot.iscsi;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.common.CommonConfig;
import io.chainboot.common.LeaseDirectory;
import io.chainboot.common.Listeners;
import io.chainboot.common.MachineDirectory;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.IscsiEvents;
import io.chainboot.events.MacAddress;
import io.chainboot.events.Names;
import io.chainboot.iscsi.disk.DiskStore;
import io.chainboot.iscsi.login.LoginHandler;
import io.chainboot.iscsi.login.LoginStatus;
import io.chainboot.iscsi.login.Negotiator;
import io.chainboot.iscsi.server.IscsiServer;
import io.chainboot.iscsi.session.Connection;
import io.chainboot.iscsi.session.SessionListener;
import io.chainboot.iscsi.session.SessionRegistry;
import io.chainboot.iscsi.targets.Access;
import io.chainboot.iscsi.targets.TargetRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wires the iSCSI portal into the service: target registry from config and machine specs, the TCP
 * server, readiness, boot events ({@link IscsiEvents}) and Micrometer metrics.
 */
@ApplicationScoped
public class IscsiService implements SessionListener {
    private static final Logger LOG = Logger.getLogger(IscsiService.class);
    static final String LISTENER = "iscsi-tcp";

    private final IscsiConfig config;
    private final CommonConfig common;
    private final MachineDirectory machines;
    private final LeaseDirectory leases;
    private final BootEventPublisher publisher;
    private final EventSource source;
    private final Listeners listeners;
    private final DiskStore disks;
    private final SessionRegistry sessions = new SessionRegistry();
    private final Counter bytesRead;
    private final Counter bytesWritten;
    private final Counter invalidPdus;
    private final Counter logins;
    private final Counter loginsRefused;
    private TargetRegistry targets;
    private IscsiServer server;
    private ThreadPoolExecutor io;
    private volatile InetSocketAddress bound;

    public IscsiService(IscsiConfig config, CommonConfig common, MachineDirectory machines, LeaseDirectory leases,
                        BootEventPublisher publisher, EventSource source, @Readiness Listeners listeners,
                        MeterRegistry registry, DiskStore disks) {
        this.disks = disks;
        this.config = config;
        this.common = common;
        this.machines = machines;
        this.leases = leases;
        this.publisher = publisher;
        this.source = source;
        this.listeners = listeners;
        this.bytesRead = Counter.builder("chainboot.iscsi.bytes.read").description("bytes sent to initiators (Data-In)").register(registry);
        this.bytesWritten = Counter.builder("chainboot.iscsi.bytes.written").description("bytes written by initiators").register(registry);
        this.invalidPdus = Counter.builder("chainboot.iscsi.pdus.invalid").description("PDUs that could not be decoded or broke the protocol").register(registry);
        this.logins = Counter.builder("chainboot.iscsi.logins").description("completed logins").register(registry);
        this.loginsRefused = Counter.builder("chainboot.iscsi.logins.refused").description("refused logins").register(registry);
        registry.gauge("chainboot.iscsi.sessions", sessions, s -> s.all().size());
    }

    void start(@Observes StartupEvent ev) {
        listeners.expect(LISTENER);
        try {
            targets = new TargetRegistry(common.iqnPrefix(), common.clusterSecret(), machines,
                    disks, staticTargets(config));
            io = new ThreadPoolExecutor(config.ioThreads(), config.ioThreads(), 60, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(65536), daemonThreads("iscsi-io-"));
            IscsiConfig.Limits l = config.limits();
            Negotiator.Limits limits = new Negotiator.Limits(l.maxRecvDataSegmentLength(), l.maxBurstLength(),
                    l.firstBurstLength(), l.maxOutstandingR2t(), false, true, true);
            InetSocketAddress bind = new InetSocketAddress(config.bindAddress(), config.port());
            server = new IscsiServer(bind, transport -> new Connection(transport, targets, sessions, this, io,
                    new Connection.Settings(limits, l.commandWindow(), l.maxWriteBytes(),
                            config.portalAddress().orElse(null), bound == null ? config.port() : bound.getPort())),
                    config.nopInIntervalSeconds());
            bound = server.start();
            listeners.bound(LISTENER, bound.toString());
            LOG.infof("iSCSI portal listening on %s (%d static target(s), disks in %s)", bound,
                    config.targets().size(), config.disksDir());
        } catch (Exception e) {
            listeners.failed(LISTENER, e.getMessage());
            LOG.errorf(e, "cannot start the iSCSI portal on %s:%d", config.bindAddress(), config.port());
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        if (server != null) {
            server.close();
        }
        if (io != null) {
            io.shutdown();
            try {
                io.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (targets != null) {
            targets.close();
        }
    }

    /** The bound portal address (the real port when configured with port 0). */
    public InetSocketAddress address() {
        return bound;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    static List<TargetRegistry.StaticTarget> staticTargets(IscsiConfig config) {
        List<TargetRegistry.StaticTarget> out = new ArrayList<>();
        config.targets().forEach((iqn, t) -> {
            Optional<Access.ChapCredentials> chap = t.chapSecret().map(secret -> new Access.ChapCredentials(
                    t.chapUser().orElse(iqn), secret, t.mutualChapUser(), t.mutualChapSecret()));
            out.add(new TargetRegistry.StaticTarget(iqn, Path.of(t.image()), t.initiator().orElse(List.of()), chap,
                    t.readOnly()));
        });
        return out;
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---------------------------------------------------------------- events

    private Ipv4Address ipOf(Connection c) {
        return c.remote().getAddress() instanceof Inet4Address a ? Ipv4Address.of(a) : null;
    }

    private static String show(MacAddress mac) {
        return mac == null ? "unknown" : mac.toString();
    }

    private MacAddress macOf(String initiator, Ipv4Address ip) {
        Optional<MacAddress> mac = Names.macOfInitiator(initiator);
        if (mac.isEmpty() && ip != null) {
            mac = leases.macOf(ip);
        }
        return mac.orElse(null);
    }

    @Override
    public void loginCompleted(Connection c, LoginHandler.Result r) {
        logins.increment();
        Ipv4Address ip = ipOf(c);
        MacAddress mac = macOf(r.initiatorName(), ip);
        LOG.infof("mac=%s login %s session: %s -> %s from %s (TSIH %d; %s)", show(mac), r.discovery() ? "discovery" : "normal",
                r.initiatorName(), r.targetName(), c.remote(), c.tsih(), r.params());
        publisher.publish(new IscsiEvents.Login(UUID.randomUUID(), Instant.now(), source, mac, ip, r.initiatorName(),
                r.targetName(), r.discovery() ? IscsiEvents.SessionType.DISCOVERY : IscsiEvents.SessionType.NORMAL,
                c.tsih()));
    }

    @Override
    public void loginRefused(Connection c, String initiator, String target, LoginStatus status, String reason) {
        loginsRefused.increment();
        Ipv4Address ip = ipOf(c);
        MacAddress mac = macOf(initiator, ip);
        LOG.warnf("mac=%s login refused (%s 0x%02x%02x): %s -> %s from %s: %s", show(mac), status, status.statusClass(),
                status.detail(), initiator, target, c.remote(), reason);
        publisher.publish(new IscsiEvents.LoginRejected(UUID.randomUUID(), Instant.now(), source, mac, ip, initiator,
                target, reason, status.statusClass(), status.detail()));
    }

    @Override
    public void lunAttached(Connection c, int lun, long blocks, int blockSize) {
        Ipv4Address ip = ipOf(c);
        MacAddress mac = macOf(c.initiatorName(), ip);
        LOG.infof("mac=%s LUN %d of %s attached by %s (%d blocks of %d bytes)", show(mac), lun, c.targetName(),
                c.initiatorName(), blocks, blockSize);
        publisher.publish(new IscsiEvents.LunAttached(UUID.randomUUID(), Instant.now(), source, mac, ip,
                c.initiatorName(), c.targetName(), lun, blocks, blockSize));
    }

    @Override
    public void sessionEnded(Connection c, String reason) {
        Ipv4Address ip = ipOf(c);
        MacAddress mac = macOf(c.initiatorName(), ip);
        LOG.infof("mac=%s session ended (%s): %s -> %s, %d bytes read, %d written, %d ms", show(mac), reason,
                c.initiatorName(), c.targetName(), c.bytesRead(), c.bytesWritten(), c.durationMs());
        publisher.publish(new IscsiEvents.Logout(UUID.randomUUID(), Instant.now(), source, mac, ip, c.initiatorName(),
                c.targetName(), c.bytesRead(), c.bytesWritten(), c.durationMs(), reason));
    }

    @Override
    public void bytesRead(long n) {
        bytesRead.increment(n);
    }

    @Override
    public void bytesWritten(long n) {
        bytesWritten.increment(n);
    }

    @Override
    public void invalidPdu(Connection c, String reason) {
        invalidPdus.increment();
        LOG.warnf("mac=%s invalid PDU from %s: %s", show(macOf(c.initiatorName(), ipOf(c))), c.who(), reason);
    }
}
