package io.chainboot.infra.launcher;

import io.chainboot.infra.launcher.LaunchOptions.DhcpMode;
import io.chainboot.infra.launcher.LaunchOptions.UsageException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The one decision the launcher makes before starting anything: which address, interface and
 * ports each component gets, and which settings each service receives. Pure ({@link #of} reads only
 * the options and the {@link HostFacts} it is given), so every rule here is unit-tested.
 *
 * <p>Privileged ports: without root (and below {@code net.ipv4.ip_unprivileged_port_start}) the
 * DHCP and TFTP defaults 67 and 69 move to 1067 and 1069 with a notice; a privileged port the user
 * asked for explicitly is an error instead, because silently moving it would be worse.
 */
public record LaunchPlan(
        String address,
        Optional<String> interfaceName,
        String netmask,
        LaunchOptions options,
        int dhcpPort,
        int proxyPort,
        int tftpPort,
        int iscsiPort,
        List<String> notices) {

    public static final int DHCP_DEFAULT = 67;
    public static final int DHCP_UNPRIVILEGED = 1067;
    public static final int TFTP_DEFAULT = 69;
    public static final int TFTP_UNPRIVILEGED = 1069;
    public static final int PROXY_DEFAULT = 4011;
    public static final int ISCSI_DEFAULT = 3260;

    /** The five services in start order, with their HTTP port offset from {@code --http-port-base}. */
    public static final List<String> SERVICES = List.of(
            "inventory-service", "script-service", "dhcp-service", "tftp-service", "iscsi-service");

    /** The services that hand out boot decisions from the machine view (chainboot.machines). */
    /**
     * The bind address of tftp, script (HTTP) and iscsi when IPv6 is on ({@code --v6-pool}): IPv6 and
     * IPv4. Only then: where the host has IPv6 switched off, binding it fails.
     */
    static final String DUAL_STACK = "::";
    static final List<String> MACHINE_VIEW_SERVICES = List.of("script-service", "dhcp-service", "iscsi-service");

    /**
     * The services in start phases: each phase starts in parallel once the previous one is ready.
     * With a machines file, inventory-service (whose readiness waits until the file's machines are
     * published on chainboot.machines) comes first, so that dhcp, script and iscsi, which are ready
     * only once their view of that topic has caught up, never decide a boot without the declared
     * machines. Without a file there is nothing to wait for: one phase.
     */
    public static List<List<String>> startPhases(boolean machinesFile) {
        if (!machinesFile) {
            return List.of(SERVICES);
        }
        return List.of(SERVICES.stream().filter(s -> !MACHINE_VIEW_SERVICES.contains(s)).toList(),
                SERVICES.stream().filter(MACHINE_VIEW_SERVICES::contains).toList());
    }

    /**
     * The CPU niceness each component runs at: the boot path first. dhcp, tftp, script and iscsi
     * answer machines and must not queue behind bookkeeping on a small server (a boot storm on two
     * cores); Kafka only carries events that services already buffer (5), and inventory-service and
     * PostgreSQL store and show them — they fall behind under load and catch up after (10).
     * When the box is idle niceness changes nothing.
     */
    public static int niceness(String component) {
        return switch (component) {
            case "inventory-service", "postgres" -> 10;
            case "kafka" -> 5;
            default -> 0;
        };
    }

    /**
     * The JVM options of a service: small heaps and the serial collector (five JVMs share a 2-core
     * box), and only the client compiler (C1), so no C2 compiler thread competes with the boot path.
     * Measured for dhcp-service, the hottest loop (bench/dhcp/stack.sh, 1,500 DORA/s, box at load
     * ~30): C2 did not lower its CPU per exchange (462 vs 429 µs) and cost 4 s of compilation in the
     * first 10 s of load. No {@code java.net.preferIPv4Stack}: it would forbid every IPv6 socket (the IPv6 boot
     * path: DHCPv6, TFTP/HTTP/iSCSI on {@code ::}); DHCPv4 opens its sockets as IPv4 explicitly.
     */
    public static List<String> jvmOptions(String service) {
        return List.of("-Xms32m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
                "-Xshare:auto");
    }

    /** A port a component listens on. */
    public record PortUse(String component, int port, String protocol) {
        @Override
        public String toString() {
            return port + "/" + protocol;
        }
    }

    /** Values that only exist once the state directory and PostgreSQL are set up. */
    public record Runtime(Path state, String clusterSecret, String apiToken, String jdbcUrl, String dbUser,
                          String dbPassword, Optional<Path> machinesFile) {
    }

    public LaunchPlan {
        notices = List.copyOf(notices);
    }

    public static LaunchPlan of(LaunchOptions o, HostFacts host) throws UsageException {
        List<String> notices = new ArrayList<>();
        String address;
        Optional<String> iface = o.interfaceName();
        if (o.address().isPresent()) {
            address = o.address().get();
            Optional<String> holder = host.interfaceOf(address);
            if (holder.isEmpty()) {
                throw new UsageException("--address " + address + " is not an address of this host (or namespace): "
                        + "add it to an interface first, or pick one of " + allAddresses(host));
            }
            if (iface.isPresent() && !iface.get().equals(holder.get())) {
                throw new UsageException("--address " + address + " is on interface " + holder.get() + ", not on --interface " + iface.get());
            }
            iface = holder;
        } else if (iface.isPresent()) {
            List<HostFacts.Address> addrs = host.interfaces().get(iface.get());
            if (addrs == null || addrs.isEmpty()) {
                throw new UsageException("--interface " + iface.get() + " does not exist, is down, or has no IPv4 address");
            }
            address = addrs.get(0).ip();
        } else {
            Optional<String> routed = host.defaultRouteInterface()
                    .filter(i -> host.interfaces().containsKey(i));
            if (routed.isPresent()) {
                iface = routed;
                address = host.interfaces().get(routed.get()).get(0).ip();
            } else {
                address = "127.0.0.1";
                iface = Optional.empty();
                notices.add("no default route: serving on 127.0.0.1 only (use --address to serve a network)");
            }
        }
        String netmask = o.netmask().orElseGet(() -> host.address(address)
                .filter(a -> a.prefix() > 0 && a.prefix() < 32)
                .map(a -> Ipv4.maskOfPrefix(a.prefix()))
                .orElse("255.255.255.0"));
        if (o.poolStart().isPresent()) {
            for (String p : List.of(o.poolStart().get(), o.poolEnd().get())) {
                if (!Ipv4.sameSubnet(address, p, netmask)) {
                    throw new UsageException("--pool address " + p + " is not in " + address + "/" + netmask);
                }
            }
            long a = Ipv4.toLong(address);
            if (a >= Ipv4.toLong(o.poolStart().get()) && a <= Ipv4.toLong(o.poolEnd().get())) {
                throw new UsageException("--pool contains our own address " + address);
            }
        }
        if (address.startsWith("127.") && o.dhcpMode() == DhcpMode.FULL) {
            notices.add("full DHCP on a loopback address serves no real machine");
        }

        int dhcp = port(host, "DHCP", "--dhcp-port", o.dhcpPort(), DHCP_DEFAULT, DHCP_UNPRIVILEGED, notices);
        int tftp = port(host, "TFTP", "--tftp-port", o.tftpPort(), TFTP_DEFAULT, TFTP_UNPRIVILEGED, notices);
        int proxy = port(host, "proxyDHCP", "--proxy-port", o.proxyPort(), PROXY_DEFAULT, PROXY_DEFAULT, notices);
        int iscsi = port(host, "iSCSI", "--iscsi-port", o.iscsiPort(), ISCSI_DEFAULT, ISCSI_DEFAULT, notices);
        for (int p : List.of(o.httpPortBase(), o.kafkaPort(), o.postgresPort())) {
            if (privileged(host, p)) {
                throw new UsageException("port " + p + " needs root (below " + host.unprivilegedPortStart() + "): run as root or pick a port >= "
                        + host.unprivilegedPortStart());
            }
        }
        LaunchPlan plan = new LaunchPlan(address, iface, netmask, o, dhcp, proxy, tftp, iscsi, notices);
        List<PortUse> all = plan.ports();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                PortUse a = all.get(i);
                PortUse b = all.get(j);
                if (a.port() == b.port() && a.protocol().equals(b.protocol())) {
                    throw new UsageException("port " + a + " is asked for twice: " + a.component() + " and " + b.component());
                }
            }
        }
        return plan;
    }

    private static boolean privileged(HostFacts host, int port) {
        return !host.root() && port < host.unprivilegedPortStart();
    }

    private static int port(HostFacts host, String what, String option, OptionalInt asked, int dflt, int fallback,
                            List<String> notices) throws UsageException {
        if (asked.isPresent()) {
            if (privileged(host, asked.getAsInt())) {
                throw new UsageException(what + " port " + asked.getAsInt() + " needs root: run ./chainboot as root, or use "
                        + option + " " + (asked.getAsInt() + 1000));
            }
            return asked.getAsInt();
        }
        if (privileged(host, dflt)) {
            notices.add("not root: " + what + " listens on " + fallback + " instead of " + dflt
                    + " (machines only use " + dflt + ": run as root, or redirect " + dflt + " to " + fallback + ")");
            return fallback;
        }
        return dflt;
    }

    private static String allAddresses(HostFacts host) {
        List<String> out = new ArrayList<>();
        host.interfaces().forEach((name, addrs) -> addrs.forEach(a -> out.add(a.ip() + " (" + name + ")")));
        return String.join(", ", out);
    }

    public int httpPort(String service) {
        int i = SERVICES.indexOf(service);
        if (i < 0) {
            throw new IllegalArgumentException("unknown service " + service);
        }
        return options.httpPortBase() + i;
    }

    /** Every port the launched components listen on, for the pre-flight check and the state file. */
    public List<PortUse> ports() {
        List<PortUse> out = new ArrayList<>();
        out.add(new PortUse("kafka", options.kafkaPort(), "tcp"));
        out.add(new PortUse("kafka", options.kafkaPort() + 1, "tcp"));
        out.add(new PortUse("postgres", options.postgresPort(), "tcp"));
        for (String s : SERVICES) {
            out.add(new PortUse(s, httpPort(s), "tcp"));
        }
        out.add(new PortUse("dhcp-service", dhcpPort, "udp"));
        out.add(new PortUse("dhcp-service", proxyPort, "udp"));
        out.add(new PortUse("tftp-service", tftpPort, "udp"));
        out.add(new PortUse("iscsi-service", iscsiPort, "tcp"));
        return out;
    }

    public List<PortUse> ports(String component) {
        return ports().stream().filter(p -> p.component().equals(component)).toList();
    }

    public String kafkaBootstrap() {
        return "127.0.0.1:" + options.kafkaPort();
    }

    public String scriptBaseUrl() {
        return "http://" + address + ":" + httpPort("script-service");
    }

    public String dashboardUrl() {
        return "http://" + address + ":" + httpPort("inventory-service") + "/";
    }

    /**
     * The settings one service is started with: the config keys agreed with each service (see
     * docs/configuration.md). Secrets are among them, so they travel in a 0600 file, not on the
     * command line.
     */
    public Map<String, String> settings(String service, Runtime rt) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("kafka.bootstrap.servers", kafkaBootstrap());
        s.put("quarkus.http.port", String.valueOf(httpPort(service)));
        s.put("chainboot.common.die-with-parent", "true");
        s.put("chainboot.common.cluster-secret", rt.clusterSecret());
        Path state = rt.state();
        switch (service) {
            case "dhcp-service" -> {
                s.put("chainboot.dhcp.mode", options.dhcpMode() == DhcpMode.FULL ? "full" : "proxy");
                s.put("chainboot.dhcp.router-advertisements", options.routerAdvertisements());
                interfaceName.ifPresent(i -> s.put("chainboot.dhcp.interface", i));
                s.put("chainboot.dhcp.server-address", address);
                s.put("chainboot.dhcp.port", String.valueOf(dhcpPort));
                s.put("chainboot.dhcp.proxy-port", String.valueOf(proxyPort));
                s.put("chainboot.dhcp.state-dir", state.resolve("dhcp").toString());
                if (options.dhcpMode() == DhcpMode.FULL) {
                    s.put("chainboot.dhcp.pool.start", options.poolStart().orElseThrow());
                    s.put("chainboot.dhcp.pool.end", options.poolEnd().orElseThrow());
                    s.put("chainboot.dhcp.pool.subnet-mask", netmask);
                    options.router().ifPresent(r -> s.put("chainboot.dhcp.pool.router", r));
                    if (!options.dns().isEmpty()) {
                        s.put("chainboot.dhcp.pool.dns", String.join(",", options.dns()));
                    }
                }
                if (!options.relayPools().isEmpty()) {
                    s.put("chainboot.dhcp.relay-pools", String.join(",", options.relayPools()));
                }
                // IPv6 (docs/dhcp-service.md "DHCPv6"): DHCPv6 with its pool, RAs with M/O and the on-link prefix
                options.v6Pool().ifPresent(p -> s.put("chainboot.dhcp.v6.pool", p));
                options.address6().ifPresent(a -> s.put("chainboot.dhcp.v6.server-address", a));
                options.v6Prefix().ifPresent(p -> s.put("chainboot.dhcp.router-advertisement-prefix", p));
                s.put("chainboot.dhcp.script-url", scriptBaseUrl() + "/boot.ipxe");
                // UEFI HTTP Boot: the loaders of the TFTP root, served over HTTP by script-service
                s.put("chainboot.dhcp.http-boot-url", scriptBaseUrl() + "/boot-files/");
                s.put("chainboot.dhcp.tftp-server", address);
            }
            case "tftp-service" -> {
                s.put("chainboot.tftp.port", String.valueOf(tftpPort));
                options.v6Pool().ifPresent(p -> s.put("chainboot.tftp.bind-address", DUAL_STACK));
                s.put("chainboot.tftp.root", state.resolve("tftp").toString());
                // the Secure Boot path: GRUB asks TFTP for grub/grub.cfg*, rendered by script-service
                s.put("chainboot.tftp.grub-config-url", scriptBaseUrl() + "/grub/");
            }
            case "script-service" -> {
                s.put("chainboot.script.profiles-dir", state.resolve("profiles").toString());
                s.put("chainboot.script.assets-dir", state.resolve("assets").toString());
                s.put("chainboot.script.boot-files-dir", state.resolve("tftp").toString());
                s.put("chainboot.script.iscsi-server", address);
                // scripts fetched over IPv6 (Host [addr]) name the iSCSI portal by its IPv6 address
                options.address6().ifPresent(a -> s.put("chainboot.script.iscsi-server-v6", a));
                options.v6Pool().ifPresent(p -> s.put("quarkus.http.host", DUAL_STACK));
                s.put("chainboot.script.iscsi-port", String.valueOf(iscsiPort));
                s.put("chainboot.script.base-url", scriptBaseUrl());
            }
            case "iscsi-service" -> {
                s.put("chainboot.iscsi.port", String.valueOf(iscsiPort));
                options.v6Pool().ifPresent(p -> s.put("chainboot.iscsi.bind-address", DUAL_STACK));
                s.put("chainboot.iscsi.portal-address", address);
                s.put("chainboot.iscsi.disks-dir", state.resolve("iscsi/disks").toString());
                s.put("chainboot.iscsi.images-dir", state.resolve("iscsi/images").toString());
                s.put("chainboot.iscsi.import-dir", state.resolve("iscsi/import").toString());
            }
            case "inventory-service" -> {
                s.put("quarkus.datasource.jdbc.url", rt.jdbcUrl());
                s.put("quarkus.datasource.username", rt.dbUser());
                s.put("quarkus.datasource.password", rt.dbPassword());
                s.put("chainboot.inventory.api-token", rt.apiToken());
                // the entry point forwards /api/images|disks|sessions to iscsi-service, /api/profiles|preview to script-service
                s.put("chainboot.inventory.upstream.iscsi-url", "http://127.0.0.1:" + httpPort("iscsi-service"));
                s.put("chainboot.inventory.upstream.script-url", "http://127.0.0.1:" + httpPort("script-service"));
                if (options.dhcpMode() == DhcpMode.FULL) {
                    s.put("chainboot.inventory.subnet", Ipv4.fromLong(Ipv4.toLong(address) & Ipv4.toLong(netmask)) + "/"
                            + Long.bitCount(Ipv4.toLong(netmask)));
                }
                rt.machinesFile().ifPresent(f -> s.put("chainboot.inventory.machines-file", f.toString()));
            }
            default -> throw new IllegalArgumentException("unknown service " + service);
        }
        return s;
    }
}
