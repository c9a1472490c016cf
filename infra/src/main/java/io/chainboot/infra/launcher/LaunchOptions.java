package io.chainboot.infra.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@code ./chainboot up} was asked to do. {@link #parse} is pure: it reads only the arguments
 * and the environment map it is given, and reports a bad argument as a {@link UsageException}
 * whose message is the one line the user sees.
 */
public record LaunchOptions(
        Optional<String> address,
        Optional<String> interfaceName,
        Path state,
        DhcpMode dhcpMode,
        Optional<String> poolStart,
        Optional<String> poolEnd,
        Optional<String> netmask,
        Optional<String> router,
        List<String> dns,
        int httpPortBase,
        OptionalInt dhcpPort,
        OptionalInt proxyPort,
        OptionalInt tftpPort,
        OptionalInt iscsiPort,
        int kafkaPort,
        int postgresPort,
        int timeoutSeconds,
        String routerAdvertisements,
        List<String> relayPools,
        Optional<String> v6Pool,
        Optional<String> v6Prefix,
        Optional<String> address6) {

    public enum DhcpMode { PROXY, FULL }

    public static final int DEFAULT_HTTP_PORT_BASE = 8080;
    public static final int DEFAULT_KAFKA_PORT = 9092;
    /** Not 5432, so that a system PostgreSQL on the same host does not collide with ours. */
    public static final int DEFAULT_POSTGRES_PORT = 5433;
    public static final int DEFAULT_TIMEOUT_SECONDS = 180;

    public static final String USAGE = String.join("\n",
            "usage: chainboot up [options]",
            "  --address IP          address machines reach us on (default: the address of --interface,",
            "                        else of the default-route interface, else 127.0.0.1)",
            "  --interface IF        interface DHCP serves on (default: the one holding --address)",
            "  --state DIR           state directory (default: $CHAINBOOT_STATE or ./state)",
            "  --dhcp-mode MODE      proxy (default: next to an existing DHCP server) | full",
            "  --pool START-END      address pool (full mode, required there)",
            "  --netmask MASK        subnet mask handed out (full mode; default: the interface's, else 255.255.255.0)",
            "  --router IP           default gateway handed out (full mode; default: none)",
            "  --dns IP[,IP...]      DNS servers handed out (full mode; default: none)",
            "  --relay-pool START-END/PREFIX[@ROUTER]",
            "                        a pool for a subnet behind a DHCP relay (full mode; repeatable), e.g.",
            "                        10.78.0.100-10.78.0.200/24@10.78.0.1; its relay must forward to --address",
            "  --router-advertisements auto|all|booting-clients|off",
            "                        answer IPv6 router solicitations so iPXE does not wait ~16 s for IPv6",
            "                        (default auto: full mode all, proxy mode only PXE/iPXE clients; silent",
            "                        whenever a real IPv6 router advertises on the link)",
            "  --v6-pool START-END   DHCPv6 address pool (full mode; e.g. fd77::100-fd77::1ff): turns DHCPv6 on,",
            "                        so firmware and iPXE boot over IPv6 (needs --address6)",
            "  --v6-prefix PREFIX/64 on-link prefix the router advertisements carry (e.g. fd77::/64; default none)",
            "  --address6 IP         IPv6 address machines reach us on (with --v6-pool; an address of --interface)",
            "  --http-port-base N    HTTP ports N..N+4: inventory, script, dhcp, tftp, iscsi (default 8080)",
            "  --dhcp-port N         DHCP server port (default 67; 1067 when not root)",
            "  --proxy-port N        proxyDHCP (PXE boot server) port (default 4011)",
            "  --tftp-port N         TFTP port (default 69; 1069 when not root)",
            "  --iscsi-port N        iSCSI portal port (default 3260)",
            "  --kafka-port N        Kafka broker port on 127.0.0.1 (default 9092; the controller uses N+1)",
            "  --postgres-port N     PostgreSQL port on 127.0.0.1 (default 5433)",
            "  --timeout SECONDS     how long to wait for everything to be healthy (default 180)");

    public LaunchOptions {
        dns = List.copyOf(dns);
        relayPools = List.copyOf(relayPools);
    }

    /** {@code START-END/PREFIX[@ROUTER]}, what dhcp-service's {@code relay-pools} takes (it checks the rest). */
    private static final java.util.regex.Pattern RELAY_POOL = java.util.regex.Pattern.compile(
            "(\\d+\\.\\d+\\.\\d+\\.\\d+)-(\\d+\\.\\d+\\.\\d+\\.\\d+)/(\\d{1,2})(@(\\d+\\.\\d+\\.\\d+\\.\\d+))?");

    public boolean explicitDhcpPort() {
        return dhcpPort.isPresent();
    }

    /** Parse {@code up}'s arguments (without the word {@code up}). */
    public static LaunchOptions parse(List<String> args, Map<String, String> env, Path cwd) throws UsageException {
        Optional<String> address = Optional.empty();
        Optional<String> iface = Optional.empty();
        String stateEnv = env.get("CHAINBOOT_STATE");
        Path state = stateEnv != null && !stateEnv.isBlank() ? cwd.resolve(stateEnv) : cwd.resolve("state");
        DhcpMode mode = DhcpMode.PROXY;
        Optional<String> poolStart = Optional.empty();
        Optional<String> poolEnd = Optional.empty();
        Optional<String> netmask = Optional.empty();
        Optional<String> router = Optional.empty();
        List<String> dns = new ArrayList<>();
        int httpBase = DEFAULT_HTTP_PORT_BASE;
        OptionalInt dhcpPort = OptionalInt.empty();
        OptionalInt proxyPort = OptionalInt.empty();
        OptionalInt tftpPort = OptionalInt.empty();
        OptionalInt iscsiPort = OptionalInt.empty();
        int kafkaPort = DEFAULT_KAFKA_PORT;
        int pgPort = DEFAULT_POSTGRES_PORT;
        int timeout = DEFAULT_TIMEOUT_SECONDS;
        String ra = "auto";
        List<String> relayPools = new ArrayList<>();
        Optional<String> v6Pool = Optional.empty();
        Optional<String> v6Prefix = Optional.empty();
        Optional<String> address6 = Optional.empty();

        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            if (!name.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            String value;
            if (inline != null) {
                value = inline;
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new UsageException(name + " needs a value");
            }
            switch (name) {
                case "--address" -> address = Optional.of(ipv4(name, value));
                case "--interface" -> iface = Optional.of(nonBlank(name, value));
                case "--state" -> state = cwd.resolve(nonBlank(name, value));
                case "--dhcp-mode" -> {
                    if (value.equals("proxy")) {
                        mode = DhcpMode.PROXY;
                    } else if (value.equals("full")) {
                        mode = DhcpMode.FULL;
                    } else {
                        throw new UsageException("--dhcp-mode must be proxy or full, not '" + value + "'");
                    }
                }
                case "--pool" -> {
                    int dash = value.indexOf('-');
                    if (dash < 0) {
                        throw new UsageException("--pool must be START-END, e.g. 10.77.0.100-10.77.0.200");
                    }
                    String s = ipv4(name, value.substring(0, dash).trim());
                    String e = ipv4(name, value.substring(dash + 1).trim());
                    if (Ipv4.toLong(s) > Ipv4.toLong(e)) {
                        throw new UsageException("--pool start " + s + " is after its end " + e);
                    }
                    poolStart = Optional.of(s);
                    poolEnd = Optional.of(e);
                }
                case "--netmask" -> {
                    String m = ipv4(name, value);
                    if (!Ipv4.isNetmask(m)) {
                        throw new UsageException("--netmask " + m + " is not a contiguous mask");
                    }
                    netmask = Optional.of(m);
                }
                case "--router-advertisements" -> {
                    if (!List.of("auto", "all", "booting-clients", "off").contains(value)) {
                        throw new UsageException("--router-advertisements must be auto, all, booting-clients or off, not '"
                                + value + "'");
                    }
                    ra = value;
                }
                case "--router" -> router = Optional.of(ipv4(name, value));
                case "--relay-pool" -> relayPools.add(relayPool(name, value));
                case "--v6-pool" -> {
                    String[] se = value.split("-", -1);
                    if (se.length != 2 || !isIpv6(se[0]) || !isIpv6(se[1])) {
                        throw new UsageException("--v6-pool must be START-END of IPv6 addresses, e.g. fd77::100-fd77::1ff, not '" + value + "'");
                    }
                    v6Pool = Optional.of(se[0] + "-" + se[1]);
                }
                case "--v6-prefix" -> {
                    String[] pl = value.split("/", -1);
                    if (pl.length != 2 || !isIpv6(pl[0]) || !pl[1].equals("64")) {
                        throw new UsageException("--v6-prefix must be an IPv6 prefix of length 64 (SLAAC), e.g. fd77::/64, not '" + value + "'");
                    }
                    v6Prefix = Optional.of(value);
                }
                case "--address6" -> {
                    if (!isIpv6(value)) {
                        throw new UsageException("--address6: '" + value + "' is not an IPv6 address");
                    }
                    address6 = Optional.of(value);
                }
                case "--dns" -> {
                    for (String d : value.split(",")) {
                        if (!d.isBlank()) {
                            dns.add(ipv4(name, d.trim()));
                        }
                    }
                }
                case "--http-port-base" -> httpBase = port(name, value, 65531);
                case "--dhcp-port" -> dhcpPort = OptionalInt.of(port(name, value, 65535));
                case "--proxy-port" -> proxyPort = OptionalInt.of(port(name, value, 65535));
                case "--tftp-port" -> tftpPort = OptionalInt.of(port(name, value, 65535));
                case "--iscsi-port" -> iscsiPort = OptionalInt.of(port(name, value, 65535));
                case "--kafka-port" -> kafkaPort = port(name, value, 65534);
                case "--postgres-port" -> pgPort = port(name, value, 65535);
                case "--timeout" -> {
                    try {
                        timeout = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new UsageException("--timeout must be a number of seconds, not '" + value + "'");
                    }
                    if (timeout < 5) {
                        throw new UsageException("--timeout must be at least 5 seconds");
                    }
                }
                default -> throw new UsageException("unknown option " + name + " (see ./chainboot help)");
            }
        }
        if (mode == DhcpMode.FULL && poolStart.isEmpty()) {
            throw new UsageException("--dhcp-mode full needs --pool START-END");
        }
        if (mode == DhcpMode.PROXY && (poolStart.isPresent() || router.isPresent() || !dns.isEmpty() || !relayPools.isEmpty())) {
            throw new UsageException("--pool/--router/--dns/--relay-pool only apply to --dhcp-mode full (proxy mode hands out no addresses)");
        }
        if (v6Pool.isPresent() && mode != DhcpMode.FULL) {
            throw new UsageException("--v6-pool only applies to --dhcp-mode full (proxy mode hands out no addresses)");
        }
        if (v6Pool.isPresent() && address6.isEmpty()) {
            throw new UsageException("--v6-pool needs --address6 (the IPv6 address machines reach TFTP/HTTP/iSCSI on)");
        }
        if (v6Pool.isEmpty() && (address6.isPresent() || v6Prefix.isPresent())) {
            throw new UsageException("--address6/--v6-prefix only apply with --v6-pool");
        }
        return new LaunchOptions(address, iface, state.normalize(), mode, poolStart, poolEnd, netmask, router, dns,
                httpBase, dhcpPort, proxyPort, tftpPort, iscsiPort, kafkaPort, pgPort, timeout, ra, relayPools,
                v6Pool, v6Prefix, address6);
    }

    private static String nonBlank(String name, String value) throws UsageException {
        if (value.isBlank()) {
            throw new UsageException(name + " needs a value");
        }
        return value;
    }

    private static String relayPool(String name, String value) throws UsageException {
        java.util.regex.Matcher m = RELAY_POOL.matcher(value.trim());
        if (!m.matches() || !Ipv4.isValid(m.group(1)) || !Ipv4.isValid(m.group(2)) || Integer.parseInt(m.group(3)) > 30
                || (m.group(5) != null && !Ipv4.isValid(m.group(5)))) {
            throw new UsageException(name + ": '" + value + "' is not START-END/PREFIX[@ROUTER], e.g. 10.78.0.100-10.78.0.200/24@10.78.0.1");
        }
        return value.trim();
    }

    /** An IPv6 literal (no zone, no brackets); checked without a name lookup. */
    static boolean isIpv6(String text) {
        if (text.isEmpty() || text.indexOf(':') < 0 || !text.matches("[0-9A-Fa-f:.]+")) {
            return false;
        }
        try {
            return java.net.InetAddress.getByName(text) instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static String ipv4(String name, String value) throws UsageException {
        if (!Ipv4.isValid(value)) {
            throw new UsageException(name + ": '" + value + "' is not an IPv4 address");
        }
        return value;
    }

    private static int port(String name, String value, int max) throws UsageException {
        try {
            int p = Integer.parseInt(value);
            if (p >= 1 && p <= max) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException(name + " must be a port number 1-" + max + ", not '" + value + "'");
    }

    /** A bad command line; the message is meant for the user as it stands. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }
}
