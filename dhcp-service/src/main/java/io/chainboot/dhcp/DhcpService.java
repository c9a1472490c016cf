package io.chainboot.dhcp;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.common.CommonConfig;
import io.chainboot.common.Listeners;
import io.chainboot.common.MachineDirectory;
import io.chainboot.dhcp.ha.Ha;
import io.chainboot.dhcp.ha.HaLink;
import io.chainboot.dhcp.ha.HaSettings;
import io.chainboot.dhcp.kafka.KafkaLeasePublisher;
import io.chainboot.dhcp.ndp.NdpListener;
import io.chainboot.dhcp.ndp.RaPolicy;
import io.chainboot.dhcp.ndp.RaSettings;
import io.chainboot.dhcp.ndp.RouterAdvertiser;
import io.chainboot.dhcp.server.Mode;
import io.chainboot.dhcp.server.DhcpServer;
import io.chainboot.dhcp.server.DhcpSettings;
import io.chainboot.dhcp.server.LeaseSink;
import io.chainboot.dhcp.v6.server.Dhcpv6Server;
import io.chainboot.dhcp.v6.server.Dhcpv6ServerSettings;
import io.chainboot.dhcp.v6.server.V6Resolver;
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
import java.net.NetworkInterface;
import java.time.Clock;
import java.util.Optional;

/** Starts the {@link DhcpServer} from {@link DhcpConfig} and reports its listener to readiness. */
@ApplicationScoped
public class DhcpService {
    private static final Logger LOG = Logger.getLogger(DhcpService.class);
    static final String LISTENER = "dhcp";
    /** HA: readiness waits until the other instances' leases are known (docs/dhcp-ha.md). */
    static final String LEASE_VIEW = "dhcp-lease-view";
    /** DHCPv6, when configured (chainboot.dhcp.v6.*): readiness also waits for its socket. */
    static final String LISTENER_V6 = "dhcpv6";

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
    private volatile NdpListener ndp;
    private volatile HaLink haLink;
    private volatile Dhcpv6Server serverV6;

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
            Optional<HaSettings> haSettings = SettingsResolver.ha(config, s.mode(), common.kafkaEnabled());
            if (config.ha().enabled() && s.mode() != Mode.FULL) {
                LOG.info("chainboot.dhcp.ha is ignored in proxy mode: proxy offers carry no address, every instance answers");
            }
            Optional<Ha> ha = haSettings.map(h -> new Ha(h, source.instance()));
            DhcpServer srv = new DhcpServer(s, machines, source, publisher, sink, registry, ha);
            if (ha.isPresent()) {
                listeners.expect(LEASE_VIEW);
                haLink = new HaLink(ha.get(), srv.tables(), bootstrap, () -> {
                    srv.republishOwnLeases();
                    listeners.bound(LEASE_VIEW, "chainboot.leases read to its end (HA instance "
                            + ha.get().settings().index() + ")");
                }, Clock.systemUTC()).start();
                LOG.infof("HA: instance %d of %d, mclt %s; answering once chainboot.leases is read", ha.get().settings().index(),
                        ha.get().settings().instances(), ha.get().settings().mclt());
            }
            Optional<Dhcpv6ServerSettings> v6 = dhcpv6Settings(s);
            startRouterAdvertisements(s, srv, v6);
            LeaseSink leases6 = sink;
            v6.ifPresent(v -> startDhcpv6(v, leases6));
            InetSocketAddress bound = srv.start();
            server = srv;
            listeners.bound(LISTENER, "udp " + bound.getAddress().getHostAddress() + ":" + bound.getPort()
                    + " " + s.mode().wire() + " server-id " + s.serverAddress());
        } catch (IOException | RuntimeException e) {
            LOG.errorf("DHCP listener failed: %s", e.getMessage() != null ? e.getMessage() : e.toString());
            listeners.failed(LISTENER, e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    /**
     * The IPv6 router-solicitation responder. Its failure (not root, no such interface) does not stop
     * DHCP: iPXE then waits for IPv6 autoconfiguration to time out, which the warning says.
     */
    private void startRouterAdvertisements(DhcpSettings s, DhcpServer srv, Optional<Dhcpv6ServerSettings> v6) {
        RaSettings ra = RaSettings.of(RaPolicy.parse(config.routerAdvertisements(), s.mode() == Mode.FULL),
                config.routerAdvertisementPrefix(), v6.flatMap(Dhcpv6ServerSettings::pool).isPresent(), v6.isPresent());
        if (ra.policy() == RaPolicy.OFF) {
            LOG.info("IPv6 router solicitations are not answered (chainboot.dhcp.router-advertisements=off)");
            return;
        }
        try {
            NetworkInterface nif = bootInterface(s);
            RouterAdvertiser advertiser = new RouterAdvertiser(ra.policy(), ra.advertisement());
            ndp = NdpListener.start(advertiser, nif, registry);
            srv.onBootClient(ndp::clientBooting);
            NdpListener n = ndp;
            v6Booting = n::clientBooting;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("IPv6 router solicitations are not answered: %s; iPXE waits ~16 s for IPv6 autoconfiguration "
                    + "on a link without an IPv6 router (set chainboot.dhcp.router-advertisements=off to silence this)",
                    e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    private volatile java.util.function.Consumer<io.chainboot.events.MacAddress> v6Booting = m -> { };

    /** {@code chainboot.dhcp.v6.*}: empty when DHCPv6 is off (the default); a bad value fails the start like any other key. */
    private Optional<Dhcpv6ServerSettings> dhcpv6Settings(DhcpSettings s) throws IOException {
        if (config.v6().enabled().strip().equalsIgnoreCase("false")
                || (config.v6().enabled().strip().equalsIgnoreCase("auto") && config.v6().pool().filter(p -> !p.isBlank()).isEmpty())) {
            return Optional.empty(); // off: no interface lookup, single-instance DHCPv4 exactly as before
        }
        return V6Resolver.resolve(config, s.mode() == Mode.FULL, bootInterface(s));
    }

    /** The DHCPv6 server; its failure fails readiness (listener {@value #LISTENER_V6}), DHCPv4 goes on. */
    private void startDhcpv6(Dhcpv6ServerSettings v6, LeaseSink leases) {
        listeners.expect(LISTENER_V6);
        try {
            Dhcpv6Server srv = new Dhcpv6Server(v6, source, publisher, leases, registry, Clock.systemUTC());
            srv.onBootClient(m -> v6Booting.accept(m));
            InetSocketAddress bound = srv.start();
            serverV6 = srv;
            String what = "udp [" + io.chainboot.events.Names.ipv6((java.net.Inet6Address) bound.getAddress()) + "]:"
                    + bound.getPort() + " on " + v6.interfaceName() + " "
                    + (v6.pool().isPresent() ? "full, pool " + v6.pool().get() : "proxy style")
                    + ", urls on [" + io.chainboot.events.Names.ipv6(v6.serverAddress()) + "]";
            LOG.infof("DHCPv6 listening on %s", what);
            listeners.bound(LISTENER_V6, what);
        } catch (IOException | RuntimeException e) {
            LOG.errorf("DHCPv6 listener failed: %s", e.getMessage() != null ? e.getMessage() : e.toString());
            listeners.failed(LISTENER_V6, e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    private NetworkInterface bootInterface(DhcpSettings s) throws IOException {
        if (config.interfaceName().isPresent()) {
            NetworkInterface nif = NetworkInterface.getByName(config.interfaceName().get());
            if (nif == null) {
                throw new IOException("chainboot.dhcp.interface '" + config.interfaceName().get() + "' does not exist");
            }
            return nif;
        }
        NetworkInterface nif = NetworkInterface.getByInetAddress(s.serverAddress().toInetAddress());
        if (nif == null) {
            throw new IOException("no interface has the server address " + s.serverAddress()
                    + "; set chainboot.dhcp.interface");
        }
        return nif;
    }

    void stop(@Observes ShutdownEvent ev) {
        Dhcpv6Server v6 = serverV6;
        if (v6 != null) {
            v6.close();
        }
        NdpListener n = ndp;
        if (n != null) {
            n.close();
        }
        HaLink l = haLink;
        if (l != null) {
            l.close();
        }
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
