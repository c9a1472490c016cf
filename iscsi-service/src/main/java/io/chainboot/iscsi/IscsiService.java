package io.chainboot.iscsi;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.common.CommonConfig;
import io.chainboot.common.LeaseDirectory;
import io.chainboot.common.Listeners;
import io.chainboot.common.MachineDirectory;
import io.chainboot.events.EventJson;
import io.chainboot.events.EventSource;
import io.chainboot.iscsi.disk.DiskStore;
import io.chainboot.iscsi.login.Negotiator;
import io.chainboot.iscsi.server.IscsiServer;
import io.chainboot.iscsi.session.Connection;
import io.chainboot.iscsi.session.SessionRegistry;
import io.chainboot.iscsi.targets.Access;
import io.chainboot.iscsi.targets.TargetRegistry;
import io.chainboot.iscsi.warmup.Warmup;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wires the iSCSI portal into the service: target registry from config and machine specs, the TCP
 * server, readiness, boot events and metrics ({@link SessionEvents}).
 *
 * <p>Start-up order: bind the portal (a port conflict fails readiness at once), open the configured
 * targets and the disks of the machine specs already known, run the {@link Warmup} (the service
 * logs in to itself through the real code on throwaway disks), then accept initiators and report the
 * listener bound, so readiness turns UP only when the first real login finds warm code and open
 * disks. Initiators that connect earlier wait in the listen backlog. Afterwards the machines view
 * is polled ({@code chainboot.iscsi.machine-disks.poll-millis}) so a machine's disk opens when its
 * spec arrives and closes when it goes away.
 */
@ApplicationScoped
public class IscsiService {
    private static final Logger LOG = Logger.getLogger(IscsiService.class);
    static final String LISTENER = "iscsi-tcp";

    /** How start-up went: the warm-up's report, whether readiness was still DOWN when it ended, ms to accepting. */
    public record Startup(Warmup.Report warmup, boolean readyDuringWarmup, long millis) {
    }

    private final IscsiConfig config;
    private final CommonConfig common;
    private final MachineDirectory machines;
    private final LeaseDirectory leases;
    private final EventSource source;
    private final Listeners listeners;
    private final DiskStore disks;
    private final SessionRegistry sessions = new SessionRegistry();
    private final SessionEvents events;
    private TargetRegistry targets;
    private IscsiServer server;
    private ThreadPoolExecutor io;
    private ScheduledExecutorService specWatch;
    private Connection.Settings settings;
    private volatile InetSocketAddress bound;
    private volatile Startup startup;
    private volatile boolean stopping;

    public IscsiService(IscsiConfig config, CommonConfig common, MachineDirectory machines, LeaseDirectory leases,
                        BootEventPublisher publisher, EventSource source, @Readiness Listeners listeners,
                        MeterRegistry registry, DiskStore disks) {
        this.disks = disks;
        this.config = config;
        this.common = common;
        this.machines = machines;
        this.leases = leases;
        this.source = source;
        this.listeners = listeners;
        this.events = new SessionEvents(publisher, source, leases, registry, true);
        Gauge.builder("chainboot.iscsi.sessions", sessions, s -> s.all().size())
                .description("iSCSI sessions in full feature phase (discovery sessions included)").register(registry);
    }

    void start(@Observes StartupEvent ev) {
        long t0 = System.nanoTime();
        listeners.expect(LISTENER);
        try {
            targets = new TargetRegistry(common.iqnPrefix(), common.clusterSecret(), machines,
                    disks, staticTargets(config));
            targets.onClosing(this::endSessionsOf);
            targets.inSession(this::hasSessions);
            disks.guardedBy(targets);
            io = new ThreadPoolExecutor(config.ioThreads(), config.ioThreads(), 60, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(65536), daemonThreads("iscsi-io-"));
            io.prestartAllCoreThreads();
            IscsiConfig.Limits l = config.limits();
            Negotiator.Limits limits = new Negotiator.Limits(l.maxRecvDataSegmentLength(), l.maxBurstLength(),
                    l.firstBurstLength(), l.maxOutstandingR2t(), false, true, true);
            InetSocketAddress bind = new InetSocketAddress(config.bindAddress(), config.port());
            server = new IscsiServer(bind, transport -> new Connection(transport, targets, sessions, events, io,
                    settings), config.nopInIntervalSeconds());
            bound = server.bind();
            settings = new Connection.Settings(limits, l.commandWindow(), l.maxWriteBytes(),
                    config.portalAddress().orElse(null), bound.getPort(), l.inlineMaxDepth());
        } catch (Exception e) {
            listeners.failed(LISTENER, String.valueOf(e.getMessage()));
            LOG.errorf(e, "cannot start the iSCSI portal on %s:%d", config.bindAddress(), config.port());
            return;
        }
        Thread t = new Thread(() -> warmUpThenAccept(t0), "iscsi-start");
        t.setDaemon(true);
        t.start();
    }

    /** Opens disks and warms up (off the Quarkus start-up thread), then accepts and reports ready. */
    private void warmUpThenAccept(long t0) {
        try {
            targets.openStatics();
            targets.machinesChanged(machines.all(), config.machineDisks().openMax());
            Warmup.Report report = null;
            if (config.warmup().rounds() > 0) {
                // events are encoded (EventJson, what the Kafka sender does with them) and dropped
                SessionEvents quiet = new SessionEvents(EventJson::encode, source, leases, new SimpleMeterRegistry(), false);
                report = Warmup.run(common.iqnPrefix(), io, settings, quiet, config.warmup().rounds());
            }
            boolean readyDuringWarmup = listeners.allBound();
            if (stopping) {
                return;
            }
            server.startAccepting();
            startSpecWatch();
            listeners.bound(LISTENER, bound.toString());
            startup = new Startup(report, readyDuringWarmup, (System.nanoTime() - t0) / 1_000_000);
            LOG.infof("iSCSI portal listening on %s (%d static target(s), %d target(s) open, disks in %s); %s",
                    bound, config.targets().size(), targets.openTargets().size(), config.disksDir(),
                    report == null ? "no warm-up" : report.ok()
                            ? String.format("warm-up: %d rounds in %d ms", report.rounds(), report.millis())
                            : "warm-up failed: " + report.failure());
        } catch (RuntimeException e) {
            listeners.failed(LISTENER, String.valueOf(e.getMessage()));
            LOG.errorf(e, "cannot start the iSCSI portal on %s", bound);
        }
    }

    /** Opens the disk of a machine whose spec arrived, closes the disk of one whose spec went away. */
    private void startSpecWatch() {
        int every = Math.max(10, config.machineDisks().pollMillis());
        specWatch = Executors.newSingleThreadScheduledExecutor(daemonThreads("iscsi-specs-"));
        long[] seen = {Long.MIN_VALUE};
        specWatch.scheduleWithFixedDelay(() -> {
            try {
                long changes = machines.changes();
                if (changes >= 0 && changes == seen[0]) {
                    return;
                }
                seen[0] = changes;
                targets.machinesChanged(machines.all(), config.machineDisks().openMax());
            } catch (RuntimeException e) {
                LOG.warnf(e, "checking machine specs for disks to open or close");
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** Whether an initiator is logged in to the target (discovery sessions do not count). */
    private boolean hasSessions(String targetIqn) {
        return sessions.all().stream().anyMatch(c -> targetIqn.equals(c.targetName()) && !c.discovery());
    }

    /** A machine target is about to close (its spec was deleted or changed): its sessions end first. */
    private void endSessionsOf(String targetIqn) {
        sessions.all().stream().filter(c -> targetIqn.equals(c.targetName()) && !c.discovery())
                .forEach(c -> c.end("machine disk closed (spec deleted or changed)"));
    }

    void stop(@Observes ShutdownEvent ev) {
        stopping = true;
        if (specWatch != null) {
            specWatch.shutdownNow();
        }
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

    /** How start-up went; null until the portal accepts initiators. */
    public Startup startup() {
        return startup;
    }

    /** Which targets have their block devices open (configured ones, and machines' disks). */
    public java.util.Set<String> openTargets() {
        return targets == null ? java.util.Set.of() : targets.openTargets();
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
}
