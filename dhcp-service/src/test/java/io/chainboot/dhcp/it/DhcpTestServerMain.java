package io.chainboot.dhcp.it;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.common.MachineDirectory;
import io.chainboot.dhcp.boot.BootSettings;
import io.chainboot.dhcp.ha.Ha;
import io.chainboot.dhcp.ha.HaLink;
import io.chainboot.dhcp.ha.HaSettings;
import io.chainboot.dhcp.kafka.KafkaLeasePublisher;
import io.chainboot.dhcp.lease.Pool;
import io.chainboot.dhcp.ndp.NdpListener;
import io.chainboot.dhcp.ndp.RaPolicy;
import io.chainboot.dhcp.ndp.RaSettings;
import io.chainboot.dhcp.ndp.RouterAdvertiser;
import io.chainboot.dhcp.server.DhcpServer;
import io.chainboot.dhcp.server.DhcpSettings;
import io.chainboot.dhcp.server.LeaseSink;
import io.chainboot.dhcp.server.Mode;
import io.chainboot.dhcp.server.Reply;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The DHCP server without Quarkus, for running inside a network namespace from a test
 * ({@code ip netns exec … java -cp <test classpath> …}) and for the benchmark. Arguments are
 * {@code key=value}; events and lease changes are printed one per line; it exits when stdin closes.
 */
public final class DhcpTestServerMain {
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int i = arg.indexOf('=');
            a.merge(arg.substring(0, i), arg.substring(i + 1), (x, y) -> x + "," + y);
        }
        PrintStream out = System.out;
        if (a.containsKey("debug")) {
            java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
            root.setLevel(java.util.logging.Level.FINE);
            for (java.util.logging.Handler h : root.getHandlers()) {
                h.setLevel(java.util.logging.Level.FINE);
            }
        }
        Mode mode = Mode.valueOf(a.getOrDefault("mode", "full").toUpperCase());
        Ipv4Address server = Ipv4Address.parse(a.get("server"));
        Optional<Pool> pool = a.containsKey("start") ? Optional.of(new Pool(Ipv4Address.parse(a.get("start")),
                Ipv4Address.parse(a.get("end")), Ipv4Address.parse(a.getOrDefault("mask", "255.255.255.0")),
                Optional.ofNullable(a.get("router")).map(Ipv4Address::parse), List.of())) : Optional.empty();
        BootSettings boot = new BootSettings(a.getOrDefault("script-url", "http://" + server + "/boot.ipxe"),
                server.toString(), "undionly.kpxe", "ipxe.efi", "ipxe-arm64.efi", Optional.empty());
        DhcpSettings s = new DhcpSettings(mode, InetAddress.getByName(a.getOrDefault("bind", "0.0.0.0")),
                Integer.parseInt(a.getOrDefault("port", "67")), Integer.parseInt(a.getOrDefault("proxy-port", "4011")), 68,
                server, pool, Duration.ofSeconds(Long.parseLong(a.getOrDefault("lease-seconds", "3600"))),
                Duration.ofSeconds(30), Duration.ofMinutes(10), Path.of(a.getOrDefault("state", "state/dhcp")),
                Boolean.parseBoolean(a.getOrDefault("fsync", "false")), boot,
                Double.parseDouble(a.getOrDefault("per-mac", "0")), Double.parseDouble(a.getOrDefault("global", "0")), false);
        Map<MacAddress, MachineSpec> specs = new HashMap<>();
        if (a.containsKey("reserve")) {
            for (String r : a.get("reserve").split(",")) {
                String[] mi = r.split("@");
                MacAddress mac = MacAddress.parse(mi[0]);
                specs.put(mac, new MachineSpec(mac, null, null, Ipv4Address.parse(mi[1]), null, null, null, null, null, true,
                        null, Instant.now()));
            }
        }
        MachineDirectory machines = new MachineDirectory() {
            public Optional<MachineSpec> byMac(MacAddress mac) {
                return Optional.ofNullable(specs.get(mac));
            }

            public Optional<MachineSpec> byUuid(String uuid) {
                return Optional.empty();
            }

            public Collection<MachineSpec> all() {
                return specs.values();
            }
        };
        boolean quiet = a.containsKey("quiet");
        BootEventPublisher publisher = e -> {
            if (!quiet) {
                synchronized (out) {
                    out.println("EVENT " + e.type() + " " + e.key() + " " + (e.ip() == null ? "-" : e.ip()));
                    out.flush();
                }
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // HA (docs/dhcp-ha.md): kafka=HOST:PORT ha-index=0 [ha-instances=2 mclt=60 partner-down=5 view-stale=3]
        // (seconds); lease changes then also go to the real chainboot.leases topic
        Optional<Ha> ha = Optional.empty();
        KafkaLeasePublisher kafka = null;
        if (a.containsKey("ha-index")) {
            ha = Optional.of(new Ha(new HaSettings(Integer.parseInt(a.getOrDefault("ha-instances", "2")),
                    Integer.parseInt(a.get("ha-index")), Duration.ofSeconds(Long.parseLong(a.getOrDefault("mclt", "60"))),
                    Duration.ofSeconds(Long.parseLong(a.getOrDefault("partner-down", "5"))), Duration.ofSeconds(1),
                    Duration.ofSeconds(Long.parseLong(a.getOrDefault("view-stale", "3")))), "test-" + a.get("ha-index")));
            kafka = new KafkaLeasePublisher(a.get("kafka"), 100_000, registry);
        }
        final KafkaLeasePublisher toKafka = kafka;
        LeaseSink sink = c -> {
            if (toKafka != null) {
                toKafka.accept(c);
            }
            if (!quiet) {
                synchronized (out) {
                    out.println(c instanceof Reply.LeaseChange.Put p ? "LEASE PUT " + p.lease().ip() + " " + p.lease().mac()
                            : "LEASE DEL " + ((Reply.LeaseChange.Remove) c).ip());
                    out.flush();
                }
            }
        };
        try (DhcpServer srv = new DhcpServer(s, machines, new EventSource("dhcp-service", "test"), publisher, sink, registry,
                ha)) {
            HaLink link = null;
            if (ha.isPresent()) {
                link = new HaLink(ha.get(), srv.tables(), a.get("kafka"), () -> {
                    srv.republishOwnLeases();
                    synchronized (out) {
                        out.println("HA-LOADED");
                        out.flush();
                    }
                }, java.time.Clock.systemUTC()).start();
            }
            NdpListener ndp = null;
            if (a.containsKey("ra")) { // ra=all|booting-clients, ra-interface=br0, ra-prefix=fd77::/64
                RaSettings ra = RaSettings.of(RaPolicy.parse(a.get("ra"), mode == Mode.FULL),
                        Optional.ofNullable(a.get("ra-prefix")));
                ndp = NdpListener.start(new RouterAdvertiser(ra.policy(), ra.advertisement()),
                        java.net.NetworkInterface.getByName(a.getOrDefault("ra-interface", "br0")), registry);
                srv.onBootClient(ndp::clientBooting);
            }
            final NdpListener ndpListener = ndp;
            srv.start();
            synchronized (out) {
                out.println("READY");
                out.flush();
            }
            int c;
            while ((c = System.in.read()) >= 0) {
                // wait for the parent to close stdin; "m" prints the counters
                if (c == 'm') {
                    synchronized (out) {
                        out.println("MALFORMED " + (long) srv.metrics().malformed() + " ANSWERED " + srv.answered()
                                + " RA " + (ndpListener == null ? -1 : (long) ndpListener.sentCount())
                                + " CONFLICTS " + srv.haConflicts());
                        out.flush();
                    }
                }
            }
            if (ndpListener != null) {
                ndpListener.close();
            }
            if (link != null) {
                link.close();
            }
            if (toKafka != null) {
                toKafka.close();
            }
        }
        System.exit(0);
    }
}
