package io.chainboot.dhcp;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.common.CommonConfig;
import io.chainboot.common.Listeners;
import io.chainboot.common.MachineDirectory;
import io.chainboot.dhcp.kafka.KafkaLeasePublisher;
import io.chainboot.dhcp.server.DhcpServer;
import io.chainboot.dhcp.server.DhcpSettings;
import io.chainboot.dhcp.server.LeaseSink;
import io.chainboot.events.EventSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;

/** Starts the {@link DhcpServer} from {@link DhcpConfig} and reports its listener to readiness. */
@ApplicationScoped
public class DhcpService {
    private static final Logger LOG = Logger.getLogger(DhcpService.class);
    static final String LISTENER = "dhcp";

    private final DhcpConfig config;
    private final CommonConfig common;
    private final BootEventPublisher publisher;
    private final MachineDirectory machines;
    private final EventSource source;
    private final MeterRegistry registry;
    private final Listeners listeners;
    private final String bootstrap;
    private volatile DhcpServer server;
    private volatile KafkaLeasePublisher leasePublisher;

    public DhcpService(DhcpConfig config, CommonConfig common, BootEventPublisher publisher, MachineDirectory machines,
                       EventSource source, MeterRegistry registry, Listeners listeners,
                       @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.config = config;
        this.common = common;
        this.publisher = publisher;
        this.machines = machines;
        this.source = source;
        this.registry = registry;
        this.listeners = listeners;
        this.bootstrap = bootstrap;
    }

    void start(@Observes StartupEvent ev) {
        if (!config.enabled()) {
            return;
        }
        listeners.expect(LISTENER);
        try {
            DhcpSettings s = SettingsResolver.resolve(config);
            LeaseSink sink = LeaseSink.NONE;
            if (common.kafkaEnabled()) {
                leasePublisher = new KafkaLeasePublisher(bootstrap, common.eventBuffer(), registry);
                sink = leasePublisher;
            }
            DhcpServer srv = new DhcpServer(s, machines, source, publisher, sink, registry);
            InetSocketAddress bound = srv.start();
            server = srv;
            listeners.bound(LISTENER, "udp " + bound.getAddress().getHostAddress() + ":" + bound.getPort()
                    + " " + s.mode().wire() + " server-id " + s.serverAddress());
        } catch (IOException | RuntimeException e) {
            LOG.errorf("DHCP listener failed: %s", e.getMessage() != null ? e.getMessage() : e.toString());
            listeners.failed(LISTENER, e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        DhcpServer s = server;
        if (s != null) {
            s.close();
        }
        KafkaLeasePublisher p = leasePublisher;
        if (p != null) {
            p.close();
        }
    }

    /** The running server, or null when disabled or failed. */
    public DhcpServer server() {
        return server;
    }
}
