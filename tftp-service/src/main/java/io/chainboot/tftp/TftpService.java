package io.chainboot.tftp;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.common.LeaseDirectory;
import io.chainboot.common.Listeners;
import io.chainboot.events.EventSource;
import io.chainboot.tftp.server.TftpServer;
import io.chainboot.tftp.server.TftpSettings;
import io.chainboot.tftp.transfer.OptionLimits;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** Starts the {@link TftpServer} with the service's config and reports its listener to readiness. */
@ApplicationScoped
public class TftpService {
    private static final Logger LOG = Logger.getLogger(TftpService.class);
    static final String LISTENER = "tftp";

    private final TftpConfig config;
    private final BootEventPublisher publisher;
    private final LeaseDirectory leases;
    private final EventSource source;
    private final MeterRegistry registry;
    private final Listeners listeners;
    private volatile TftpServer server;

    public TftpService(TftpConfig config, BootEventPublisher publisher, LeaseDirectory leases, EventSource source,
                       MeterRegistry registry, @Readiness Listeners listeners) {
        this.config = config;
        this.publisher = publisher;
        this.leases = leases;
        this.source = source;
        this.registry = registry;
        this.listeners = listeners;
    }

    static TftpSettings settings(TftpConfig c) throws IOException {
        int cap = c.maxBlksize().orElse(OptionLimits.blksizeForMtu(c.mtu()));
        OptionLimits limits = new OptionLimits(cap, c.maxWindow(), (int) Math.max(1, c.timeout().toMillis()));
        InetSocketAddress bind = new InetSocketAddress(InetAddress.getByName(c.bindAddress()), c.port());
        return new TftpSettings(bind, Path.of(c.root()), limits, c.retries(), c.maxTransfers(), c.ioThreads(), c.connectedSockets(),
                c.grubConfigUrl().filter(u -> !u.isBlank()).map(u -> java.net.URI.create(u.endsWith("/") ? u : u + "/")),
                java.util.Set.copyOf(c.optionalFiles()));
    }

    void start(@Observes StartupEvent ev) {
        if (!config.enabled()) {
            return;
        }
        listeners.expect(LISTENER);
        try {
            TftpSettings s = settings(config);
            if (!Files.isDirectory(s.root())) {
                LOG.warnf("TFTP root %s does not exist; creating it empty", s.root());
                Files.createDirectories(s.root());
            }
            TftpServer srv = new TftpServer(s, publisher, leases, source, registry);
            InetSocketAddress bound = srv.start();
            server = srv;
            listeners.bound(LISTENER, "udp " + bound.getAddress().getHostAddress() + ":" + bound.getPort());
        } catch (IOException | RuntimeException e) {
            LOG.errorf("TFTP listener failed: %s", e.toString());
            listeners.failed(LISTENER, e.toString());
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        TftpServer s = server;
        if (s != null) {
            s.close();
        }
    }

    /** The running server, or null when disabled or failed. */
    public TftpServer server() {
        return server;
    }
}
