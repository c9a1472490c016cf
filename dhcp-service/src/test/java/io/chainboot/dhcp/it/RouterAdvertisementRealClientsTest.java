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
 * The router-advertisement responder against real IPv6 hosts in network namespaces: ndisc6's
 * {@code rdisc6} (sends a router solicitation, prints every advertisement it gets), the Linux
 * kernel's own autoconfiguration (SLAAC from an advertised prefix), and a real router (radvd, the
 * one test network here that has an IPv6 router, to show Chainboot keeps quiet beside it). Needs
 * root and the packages ndisc6, radvd, iproute2.
 */
class RouterAdvertisementRealClientsTest {
    static final String MAC1 = "52:54:00:ab:00:01";
    static final String MAC2 = "52:54:00:ab:00:02";

    @TempDir
    Path tmp;
    Lan lan;

    @BeforeEach
    void lan() throws Exception {
        Prerequisite.require("rdisc6", "ndisc6");
        Prerequisite.require("radvd", "radvd");
        lan = new Lan();
    }

    @AfterEach
    void teardown() {
        if (lan != null) {
            lan.close();
        }
    }

    @Test
    void fullModeAnswersASolicitationWithANonRouterAdvertisementAndNoPrefix() throws Exception {
        String ns = lan.addHost("c", MAC1);
        awaitLinkLocal(lan.serverNs(), "br0");
        awaitLinkLocal(ns, "eth0");
        try (ServerProcess server = new ServerProcess(lan, "mode=full", "server=" + Lan.SERVER_IP, "start=10.213.0.100",
                "end=10.213.0.150", "state=" + tmp, "ra=auto", "ra-interface=br0")) {
            String out = rdisc6(ns);
            assertThat(out).contains("Hop limit").containsPattern("Router lifetime\\s*:\\s*0 ")
                    .containsPattern("Stateful address conf\\.\\s*:\\s*No").containsPattern("Stateful other conf\\.\\s*:\\s*No")
                    .doesNotContain("Prefix").containsPattern("from fe80::").contains("EXIT=0");
            assertThat(sent(server)).isPositive();
        }
    }

    @Test
    void aConfiguredPrefixIsTakenUpByTheLinuxKernelsAutoconfiguration() throws Exception {
        try (ServerProcess server = new ServerProcess(lan, "mode=full", "server=" + Lan.SERVER_IP, "start=10.213.0.100",
                "end=10.213.0.150", "state=" + tmp, "ra=all", "ra-interface=br0", "ra-prefix=fd77:213::1/64")) {
            String ns = lan.addHost("k", MAC1); // the kernel solicits when eth0 comes up; the bridge may still be tentative
            awaitLinkLocal(lan.serverNs(), "br0");
            awaitLinkLocal(ns, "eth0");
            String out = rdisc6(ns); // answers whatever the kernel's first solicitations missed
            assertThat(out).containsPattern("Prefix\\s*:\\s*fd77:213::/64").containsPattern("Router lifetime\\s*:\\s*0 ");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            String addrs = "";
            while (System.nanoTime() < end && !addrs.contains("fd77:213:")) {
                addrs = lan.exec(ns, "ip", "-6", "addr", "show", "dev", "eth0");
                Thread.sleep(200);
            }
            assertThat(addrs).as("SLAAC address from the advertised prefix").contains("inet6 fd77:213::5054:ff:feab:1/64");
            assertThat(lan.exec(ns, "ip", "-6", "route", "show", "default")).as("lifetime 0: no default route").isBlank();
        }
    }

    @Test
    void proxyModeAnswersOnlyMachinesSeenPxeBooting() throws Exception {
        String ns = lan.addHost("p", MAC1);
        awaitLinkLocal(lan.serverNs(), "br0");
        awaitLinkLocal(ns, "eth0");
        try (ServerProcess server = new ServerProcess(lan, "mode=proxy", "server=" + Lan.SERVER_IP, "state=" + tmp,
                "ra=auto", "ra-interface=br0", "debug=1")) {
            assertThat(rdisc6(ns)).as("a host that is not PXE booting gets nothing").doesNotContain("Router lifetime")
                    .doesNotContain("EXIT=0");
            assertThat(sent(server)).isZero();
            lan.exec(ns, "ip", "route", "add", "default", "dev", "eth0");
            List<String> probe = new ArrayList<>(ServerProcess.java(PxeProbeMain.class));
            probe.addAll(List.of(MAC1, "2"));
            assertThat(lan.exec(ns, probe.toArray(String[]::new))).contains("REPLY OFFER");
            assertThat(rdisc6(ns)).as("the same host once it PXE-booted; server: %s", server.lines()).containsPattern("Router lifetime\\s*:\\s*0 ")
                    .contains("EXIT=0");
            assertThat(sent(server)).isPositive();
        }
    }

    @Test
    void aRealRouterOnTheLinkSilencesChainboot() throws Exception {
        String router = lan.addHost("r", MAC2);
        String ns = lan.addHost("c", MAC1);
        Path conf = tmp.resolve("radvd.conf");
        Files.writeString(conf, """
                interface eth0 {
                  AdvSendAdvert on;
                  MinRtrAdvInterval 3; MaxRtrAdvInterval 4;
                  AdvManagedFlag on;
                  AdvDefaultLifetime 600;
                  prefix fd99::/64 { };
                };
                """);
        awaitLinkLocal(router, "eth0");
        lan.start(router, List.of("radvd", "--nodaemon", "--config", conf.toString(), "--pidfile",
                tmp.resolve("radvd.pid").toString(), "--logmethod", "stderr"), tmp.resolve("radvd.log"));
        awaitLinkLocal(lan.serverNs(), "br0");
        awaitLinkLocal(ns, "eth0");
        try (ServerProcess server = new ServerProcess(lan, "mode=full", "server=" + Lan.SERVER_IP, "start=10.213.0.100",
                "end=10.213.0.150", "state=" + tmp, "ra=all", "ra-interface=br0", "debug=1")) {
            // radvd answers the server's own start-up solicitation and advertises every 3-4 s
            server.await(l -> l.contains("advertises on br0"), 15);
            String routerLinkLocal = lan.exec(router, "ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "link")
                    .replaceAll("(?s).*inet6 (fe80::[0-9a-f:]+)/.*", "$1");
            String out = rdisc6(ns);
            assertThat(out).contains("from " + routerLinkLocal).containsPattern("Stateful address conf\\.\\s*:\\s*Yes")
                    .doesNotContainPattern("Router lifetime\\s*:\\s*0 ");
            assertThat(sent(server)).as("Chainboot sent no advertisement beside a real router").isZero();
        }
    }

    /** rdisc6: three solicitations one second apart, every advertisement printed; exit 0 when one came. */
    String rdisc6(String ns) throws Exception {
        return lan.exec(ns, "sh", "-c", "rdisc6 -m -r 3 -w 1000 eth0 2>&1; echo EXIT=$?");
    }

    long sent(ServerProcess server) throws Exception {
        String c = server.counters();
        return Long.parseLong(c.replaceAll(".* RA (-?\\d+).*", "$1"));
    }

    /** Until {@code dev} has a link-local address that finished duplicate address detection. */
    void awaitLinkLocal(String ns, String dev) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String out = "";
        while (System.nanoTime() < end) {
            out = lan.exec(ns, "ip", "-6", "addr", "show", "dev", dev, "scope", "link");
            if (out.contains("inet6 fe80") && !out.contains("tentative")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(dev + " in " + ns + " has no usable link-local address:\n" + out);
    }
}
