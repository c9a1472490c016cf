package io.chainboot.dhcp.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DHCPv6 server ({@code v6.server}) against ISC dhclient 4.4 {@code -6} in network namespaces: a full
 * exchange (Solicit, Advertise, Request, Reply) giving an IA_NA address from the pool, the lease kept across
 * a server restart, a second client getting another address, release; proxy style (no pool): NoAddrsAvail
 * and the boot file URL; garbage datagrams on port 547 do not stop the server; the router advertisement
 * carries M and O while DHCPv6 is on (rdisc6). Needs root and isc-dhcp-client, ndisc6, iproute2.
 */
class Dhcpv6RealClientsTest {
    static final String MAC1 = "52:54:00:ac:00:01";
    static final String MAC2 = "52:54:00:ac:00:02";
    static final String SERVER6 = "fd77:213::1";

    @TempDir
    Path tmp;
    Lan lan;

    @BeforeEach
    void lan() throws Exception {
        Prerequisite.require("dhclient", "isc-dhcp-client");
        Prerequisite.require("rdisc6", "ndisc6");
        lan = new Lan();
        lan.exec(lan.serverNs(), "ip", "-6", "addr", "add", SERVER6 + "/64", "dev", "br0", "nodad");
    }

    @AfterEach
    void teardown() {
        if (lan != null) {
            lan.close();
        }
    }

    ServerProcess server(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(ServerProcess.java(Dhcpv6TestServerMain.class));
        cmd.addAll(List.of("iface=br0", "server6=" + SERVER6, "state=" + tmp.resolve("state")));
        cmd.addAll(List.of(args));
        return new ServerProcess(lan.start(lan.serverNs(), cmd));
    }

    @Test
    void dhclientGetsAnAddressFromThePoolKeepsItAcrossARestartAndASecondClientGetsAnother() throws Exception {
        String c1 = host("a", MAC1);
        String c2 = host("b", MAC2);
        String addr1;
        try (ServerProcess server = server("pool=fd77:213::100-fd77:213::101")) {
            String out = dhclient(c1, "a", false);
            addr1 = leased(out);
            assertThat(addr1).as("dhclient output:%n%s", out).isIn("fd77:213::100", "fd77:213::101");
            assertThat(lan.exec(c1, "ip", "-6", "addr", "show", "dev", "eth0")).contains("inet6 " + addr1 + "/");
            String offered = server.await(l -> l.startsWith("EVENT {\"type\":\"dhcp.offered\""), 10);
            String acked = server.await(l -> l.startsWith("EVENT {\"type\":\"dhcp.acked\""), 10);
            assertThat(offered).contains("\"mac\":\"" + MAC1 + "\"", "\"ipv6\":\"" + addr1 + "\"", "\"mode\":\"full\"", "\"client\":\"OS\"")
                    .doesNotContain("\"ip\":");
            assertThat(acked).contains("\"mac\":\"" + MAC1 + "\"", "\"ipv6\":\"" + addr1 + "\"", "\"leaseSeconds\":3600");
            assertThat(Files.readString(tmp.resolve("state/leases6.txt"))).as("the bound lease is on disk").contains(" " + addr1 + " ");
            String lease = server.await(l -> l.startsWith("LEASE PUT " + addr1 + " "), 10);
            assertThat(lease).as("chainboot.leases: keyed by the address, the MAC from dhclient's DUID-LLT")
                    .contains("\"ipv6\":\"" + addr1 + "\"", "\"mac\":\"" + MAC1 + "\"").doesNotContain("\"ip\":");
        }
        try (ServerProcess server = server("pool=fd77:213::100-fd77:213::101")) {
            assertThat(server.await(l -> l.startsWith("LEASE PUT " + addr1 + " "), 10)).as("re-published on start, MAC from the lease file")
                    .contains("\"mac\":\"" + MAC1 + "\"");
            lan.exec(c1, "ip", "-6", "addr", "flush", "dev", "eth0", "scope", "global");
            String again = dhclient(c1, "a", false);
            assertThat(leased(again)).as("the restarted server gives the same client the same address:%n%s", again).isEqualTo(addr1);
            String out2 = dhclient(c2, "b", false);
            String addr2 = leased(out2);
            assertThat(addr2).as("second client: %s", out2).isIn("fd77:213::100", "fd77:213::101").isNotEqualTo(addr1);
            String l = lan.exec(c2, "sh", "-c", "dhclient -6 -r -lf " + tmp.resolve("b.leases") + " -pf " + tmp.resolve("b.pid")
                    + " -sf /bin/true eth0 2>&1; echo EXIT=$?");
            assertThat(l).contains("EXIT=0");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < end && Files.readString(tmp.resolve("state/leases6.txt")).contains(" " + addr2 + " ")) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(tmp.resolve("state/leases6.txt"))).as("released").doesNotContain(" " + addr2 + " ")
                    .contains(" " + addr1 + " ");
            assertThat(server.await(x -> x.equals("LEASE DEL " + addr2), 10)).as("the release is a tombstone on chainboot.leases").isNotNull();
        }
    }

    @Test
    void proxyStyleGivesTheBootFileUrlAndNoAddressAndGarbageDoesNotStopTheServer() throws Exception {
        String c = host("p", MAC1);
        try (ServerProcess server = server()) {
            // garbage to ff02::1:2 port 547 from the client: truncated header, an option running past the end
            String garbage = lan.exec(c, "python3", "-c", """
                    import socket
                    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex('eth0'))
                    for p in [b'\\x01', b'\\x01\\x00\\x00\\x01\\x00\\x01\\x00\\xff\\x00', b'\\x0c' + bytes(40)]:
                        s.sendto(p, ('ff02::1:2', 547, 0, socket.if_nametoindex('eth0')))
                    print('SENT')
                    """);
            assertThat(garbage).contains("SENT");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < end && !server.counters().startsWith("MALFORMED 3 ")) {
                Thread.sleep(100);
            }
            assertThat(server.counters()).startsWith("MALFORMED 3 ");
            String out = dhclient(c, "p", true);
            assertThat(out).as("dhclient:%n%s", out).contains("new_dhcp6_bootfile_url=tftp://[" + SERVER6 + "]/ipxe.efi")
                    .doesNotContain("new_ip6_address");
            String acked = server.await(l -> l.startsWith("EVENT {\"type\":\"dhcp.acked\""), 10);
            assertThat(acked).contains("\"mac\":\"" + MAC1 + "\"", "\"ipv6\":\"::\"", "\"mode\":\"proxy\"",
                    "\"bootFile\":\"tftp://[" + SERVER6 + "]/ipxe.efi\"", "\"arch\":7", "\"leaseSeconds\":0");
        }
    }

    @Test
    void theRouterAdvertisementCarriesManagedAndOtherWhileDhcpv6IsOn() throws Exception {
        String c = host("r", MAC1);
        try (ServerProcess server = server("pool=fd77:213::100-fd77:213::1ff", "ra=all")) {
            String out = lan.exec(c, "sh", "-c", "rdisc6 -m -r 3 -w 1000 eth0 2>&1; echo EXIT=$?");
            assertThat(out).containsPattern("Stateful address conf\\.\\s*:\\s*Yes").containsPattern("Stateful other conf\\.\\s*:\\s*Yes")
                    .containsPattern("Router lifetime\\s*:\\s*0 ").doesNotContain("Prefix").contains("EXIT=0");
        }
    }

    /** A client namespace whose eth0 has its link-local address (DAD done), as dhclient -6 needs. */
    String host(String name, String mac) throws Exception {
        String ns = lan.addHost(name, mac);
        awaitLinkLocal(lan.serverNs(), "br0");
        awaitLinkLocal(ns, "eth0");
        return ns;
    }

    /**
     * dhclient -6 once (-1: give up after one try), its script printing every variable it gets; {@code proxy}:
     * it sends client architecture 7 and asks for option 59, as PXE firmware does.
     */
    String dhclient(String ns, String name, boolean proxy) throws Exception {
        Path conf = tmp.resolve(name + ".conf");
        Files.writeString(conf, """
                option dhcp6.bootfile-url code 59 = string;
                option dhcp6.client-arch-type code 61 = unsigned integer 16;
                """ + (proxy ? "send dhcp6.client-arch-type 7;\nalso request dhcp6.bootfile-url;\n" : ""));
        Path script = tmp.resolve("script.sh");
        Files.writeString(script, "#!/bin/sh\nenv | grep -E '^(reason|new_|old_)' | sort\n"
                + "if [ -n \"$new_ip6_address\" ]; then ip -6 addr replace \"$new_ip6_address/128\" dev \"$interface\" nodad; fi\n"
                + "exit 0\n");
        script.toFile().setExecutable(true);
        Path out = tmp.resolve(name + ".out");
        Files.deleteIfExists(out);
        return lan.exec(ns, "sh", "-c", "timeout 40 dhclient -6 " + (proxy ? "-S " : "") + "-1 -d -v -cf " + conf + " -lf "
                + tmp.resolve(name + ".leases") + " -pf " + tmp.resolve(name + ".pid") + " -sf " + script + " eth0 >" + out
                + " 2>&1 & P=$!; for i in $(seq 1 300); do grep -qE 'reason=(BOUND6|REBOOT6|RENEW6|INFORM6)' " + out
                + " && break; kill -0 $P 2>/dev/null || break; sleep 0.1; done; kill $P 2>/dev/null; wait $P; cat " + out);
    }

    static String leased(String dhclientOutput) {
        return dhclientOutput.lines().filter(l -> l.startsWith("new_ip6_address=")).map(l -> l.substring("new_ip6_address=".length()))
                .reduce((x, y) -> y).orElse("");
    }

    void awaitLinkLocal(String ns, String dev) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            String a = lan.exec(ns, "ip", "-6", "addr", "show", "dev", dev, "scope", "link");
            if (a.contains("fe80::") && !a.contains("tentative")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(dev + " in " + ns + " has no usable link-local address");
    }
}
