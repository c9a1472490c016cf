package io.chainboot.dhcp.it;

import io.chainboot.common.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.time.Duration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acceptance with real Debian DHCP clients (ISC dhclient, busybox udhcpc, nmap, dnsmasq) in network
 * namespaces joined by veth pairs to a bridge in the server's namespace, where the server binds
 * 0.0.0.0:67 — nothing touches the host's own network. Needs root and the packages
 * isc-dhcp-client, busybox, nmap, dnsmasq-base, iproute2.
 */
class RealClientsTest {
    static final String MAC1 = "52:54:00:aa:00:01";
    static final String MAC2 = "52:54:00:aa:00:02";
    static final Pattern BOUND_IP = Pattern.compile("(?m)^(BOUND|REBOOT|bound) (\\S+)");

    @TempDir
    Path tmp;
    Lan lan;

    @BeforeEach
    void lan() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root for network namespaces");
        lan = new Lan();
    }

    @AfterEach
    void teardown() {
        if (lan != null) {
            Lan.killPidFile(tmp.resolve("dhclient.pid"));
            lan.close();
        }
    }

    ServerProcess fullServer(String leaseSeconds, Path state) throws Exception {
        return new ServerProcess(lan, "mode=full", "server=" + Lan.SERVER_IP, "start=10.213.0.100", "end=10.213.0.150",
                "mask=255.255.255.0", "router=10.213.0.1", "lease-seconds=" + leaseSeconds, "state=" + state, "debug=1");
    }

    /** A client hook script (dhclient-script / udhcpc -s) that logs and configures the address, nothing else. */
    Path hookScript(String log) throws IOException {
        Path script = tmp.resolve("hook.sh");
        Files.writeString(script, """
                #!/bin/sh
                # dhclient passes $reason/$new_*; udhcpc passes $1 and $ip/$boot_file
                if [ -n "$reason" ]; then
                  echo "$reason $new_ip_address $new_filename $new_next_server_address" >> %1$s
                  case "$reason" in
                    PREINIT) ip link set "$interface" up ;;
                    BOUND|RENEW|REBIND|REBOOT) ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
                    RELEASE|EXPIRE|STOP) ip addr flush dev "$interface" ;;
                  esac
                else
                  echo "$1 $ip $boot_file $siaddr" >> %1$s
                  case "$1" in
                    bound|renew) ip addr replace "$ip/$subnet" dev "$interface" ;;
                    deconfig) ip addr flush dev "$interface" ;;
                  esac
                fi
                exit 0
                """.formatted(tmp.resolve(log)));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** Waits until {@code process} in {@code ns} has bound UDP {@code port} (as {@code ss} lists it). */
    void awaitUdpListener(String ns, int port, String process, int seconds) throws Exception {
        Eventually.until(() -> {
            String out = lan.exec(ns, "ss", "-Hulnp", "sport = :" + port);
            if (!out.contains("\"" + process + "\"")) {
                throw new AssertionError("ss lists:\n" + out);
            }
            return true;
        }, process + " bound UDP " + port + " in " + ns, Duration.ofSeconds(seconds));
    }

    /** The last group of {@code p}'s first match in the client log {@code log}, once it is there. */
    String awaitLog(String log, Pattern p, int seconds) throws Exception {
        Path f = tmp.resolve(log);
        return Eventually.found(() -> {
            String text = Files.exists(f) ? Files.readString(f) : "(none)";
            Matcher m = p.matcher(text);
            if (!m.find()) {
                throw new AssertionError("client log:\n" + text);
            }
            return Optional.of(m.group(m.groupCount()));
        }, "client log " + log + " matched " + p, Duration.ofSeconds(seconds));
    }

    List<String> dhclient(String ns, String... extra) {
        List<String> cmd = new java.util.ArrayList<>(List.of("dhclient", "-v", "-sf", tmp.resolve("hook.sh").toString(),
                "-lf", tmp.resolve("dhclient.leases").toString(), "-pf", tmp.resolve("dhclient.pid").toString(),
                "-cf", tmp.resolve("dhclient.conf").toString()));
        cmd.addAll(List.of(extra));
        cmd.add("eth0");
        return cmd;
    }

    @Test
    void iscDhclientGetsRenewsAndReleasesALease() throws Exception {
        hookScript("dhclient.log");
        Files.writeString(tmp.resolve("dhclient.conf"), "request subnet-mask, routers, bootfile-name;\n");
        String ns = lan.addHost("c", MAC1);
        try (ServerProcess server = fullServer("6", tmp.resolve("state"))) {
            lan.exec(ns, dhclient(ns, "-1").toArray(String[]::new));
            String ip = awaitLog("dhclient.log", BOUND_IP, 10);
            assertThat(ip).startsWith("10.213.0.1");
            assertThat(lan.exec(ns, "ip", "-4", "addr", "show", "eth0")).contains(ip + "/24");
            server.await(l -> l.equals("LEASE PUT " + ip + " " + MAC1), 5);
            // lease 6 s: T1 = 3 s, the daemon renews by unicast to the server (RFC 2131 §4.4.5)
            assertThat(awaitLog("dhclient.log", Pattern.compile("(?m)^RENEW (\\S+)"), 15)).isEqualTo(ip);
            lan.exec(ns, dhclient(ns, "-r").toArray(String[]::new));
            server.await(l -> l.matches("EVENT \\S+ " + MAC1 + " " + Pattern.quote(ip)) && l.toLowerCase().contains("released"), 10);
            server.await(l -> l.equals("LEASE DEL " + ip), 5);
        }
    }

    @Test
    void busyboxUdhcpcGetsRenewsAndReleasesALease() throws Exception {
        Path script = hookScript("udhcpc.log");
        String ns = lan.addHost("c", MAC2);
        try (ServerProcess server = fullServer("30", tmp.resolve("state"))) {
            Process udhcpc = lan.start(ns, List.of("busybox", "udhcpc", "-f", "-R", "-i", "eth0", "-s", script.toString(),
                    "-t", "5", "-T", "1", "-O", "bootfile"), tmp.resolve("udhcpc.out"));
            String ip = awaitLog("udhcpc.log", Pattern.compile("(?m)^bound (\\S+)"), 15);
            assertThat(ip).startsWith("10.213.0.1");
            // lease 30 s: busybox renews at T1 = 15 s
            assertThat(awaitLog("udhcpc.log", Pattern.compile("(?m)^renew (\\S+)"), 30)).isEqualTo(ip);
            // SIGTERM (to udhcpc itself, should `ip netns exec` have forked): with -R it sends DHCPRELEASE on exit
            udhcpc.descendants().forEach(ProcessHandle::destroy);
            udhcpc.destroy();
            udhcpc.waitFor(10, TimeUnit.SECONDS);
            System.out.println("udhcpc said:\n" + Files.readString(tmp.resolve("udhcpc.out")));
            server.await(l -> l.toLowerCase().contains("released") && l.contains(MAC2) && l.endsWith(ip), 10);
        }
    }

    @Test
    void nmapBroadcastDiscoverShowsTheBootFile() throws Exception {
        String ns = lan.addHost("c", MAC1);
        lan.exec(ns, "ip", "addr", "add", "10.213.0.9/24", "dev", "eth0");
        try (ServerProcess server = fullServer("3600", tmp.resolve("state"))) {
            String out = lan.exec(ns, "nmap", "-v", "-e", "eth0", "--script", "broadcast-dhcp-discover",
                    "--script-args", "broadcast-dhcp-discover.timeout=5");
            assertThat(out).contains("Server Identifier: " + Lan.SERVER_IP)
                    .containsPattern("IP Offered: 10\\.213\\.0\\.1\\d\\d")
                    .contains("Bootfile Name: undionly.kpxe");
        }
    }

    @Test
    void leasesSurviveARestartAndNoAddressIsGivenTwice() throws Exception {
        hookScript("dhclient.log");
        Files.writeString(tmp.resolve("dhclient.conf"), "");
        Path state = tmp.resolve("state");
        String ns = lan.addHost("c", MAC1);
        String first;
        try (ServerProcess server = fullServer("3600", state)) {
            lan.exec(ns, dhclient(ns, "-1").toArray(String[]::new));
            first = awaitLog("dhclient.log", BOUND_IP, 10);
        }
        Lan.killPidFile(tmp.resolve("dhclient.pid")); // the client keeps its lease, says nothing
        assertThat(Files.readString(state.resolve("leases.journal"))).contains(first + " " + MAC1);
        try (ServerProcess server = fullServer("3600", state)) {
            // another machine on the restarted server must get a different address
            lan.exec(ns, "ip", "addr", "flush", "dev", "eth0");
            lan.exec(ns, "ip", "link", "set", "eth0", "address", MAC2);
            String out = lan.exec(ns, "busybox", "udhcpc", "-n", "-q", "-i", "eth0", "-s", "/bin/true", "-t", "5", "-T", "1");
            Matcher m = Pattern.compile("lease of (\\S+) obtained").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            assertThat(m.group(1)).isNotEqualTo(first).startsWith("10.213.0.1");
            // and the first machine, coming back (INIT-REBOOT), keeps its address
            lan.exec(ns, "ip", "link", "set", "eth0", "address", MAC1);
            Files.writeString(tmp.resolve("dhclient.log"), "");
            lan.exec(ns, dhclient(ns, "-1").toArray(String[]::new));
            assertThat(awaitLog("dhclient.log", BOUND_IP, 10)).isEqualTo(first);
            server.await(l -> l.equals("LEASE PUT " + first + " " + MAC1), 5);
        }
    }

    @Test
    void proxyModeNextToDnsmasqGivesTheBootFileWhileDnsmasqGivesTheAddress() throws Exception {
        String router = lan.addHost("r", "52:54:00:aa:00:fe");
        lan.exec(router, "ip", "addr", "add", "10.213.0.2/24", "dev", "eth0");
        lan.start(router, List.of("dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0", "--interface=eth0",
                "--bind-interfaces", "--dhcp-range=10.213.0.50,10.213.0.60,1h", "--dhcp-authoritative",
                "--dhcp-leasefile=" + tmp.resolve("dnsmasq.leases"), "--pid-file=" + tmp.resolve("dnsmasq.pid")));
        String ns = lan.addHost("c", MAC1);
        try (ServerProcess server = new ServerProcess(lan, "mode=proxy", "server=" + Lan.SERVER_IP, "state=" + tmp)) {
            awaitUdpListener(router, 67, "dnsmasq", 10); // its offer must be on the wire when the probe asks
            lan.exec(ns, "ip", "route", "add", "default", "dev", "eth0"); // lets the probe send 255.255.255.255 before it has an address
            List<String> probe = new java.util.ArrayList<>(ServerProcess.java(PxeProbeMain.class));
            probe.addAll(List.of(MAC1, "4", "request"));
            String out = lan.exec(ns, probe.toArray(String[]::new));
            assertThat(out).containsPattern("REPLY OFFER server=10\\.213\\.0\\.2 yiaddr=10\\.213\\.0\\.5\\d")
                    .contains("REPLY OFFER server=10.213.0.1 yiaddr=0.0.0.0 siaddr=10.213.0.1 file=undionly.kpxe "
                            + "vc=PXEClient uuid=67452301-ab89-efcd-0123-456789abcdef")
                    .containsPattern("REPLY ACK server=10\\.213\\.0\\.2 yiaddr=10\\.213\\.0\\.5\\d");
            assertThat(out).doesNotContainPattern("server=10\\.213\\.0\\.1 yiaddr=10");
            server.await(l -> l.toLowerCase().contains("offered") && l.contains(MAC1), 5);
        }
    }
}
