package io.chainboot.infra.launcher;

import io.chainboot.infra.launcher.LaunchOptions.DhcpMode;
import io.chainboot.infra.launcher.LaunchOptions.UsageException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The launcher's decisions: arguments, address and interface, privileged-port fallbacks, service settings. */
class LaunchPlanTest {
    private static final Path CWD = Path.of("/srv/chainboot");

    /** A namespace like the end-to-end test's: br0 holds 10.77.0.1/24, no default route. */
    private static final HostFacts NAMESPACE_AS_ROOT = new HostFacts(true, 1024,
            Map.of("lo", List.of(new HostFacts.Address("127.0.0.1", 8)), "br0", List.of(new HostFacts.Address("10.77.0.1", 24))),
            Optional.empty());

    private static final HostFacts LAPTOP_AS_USER = new HostFacts(false, 1024,
            Map.of("lo", List.of(new HostFacts.Address("127.0.0.1", 8)), "wlan0", List.of(new HostFacts.Address("192.168.1.23", 16))),
            Optional.of("wlan0"));

    private static LaunchOptions opts(String... args) throws UsageException {
        return LaunchOptions.parse(Arrays.asList(args), Map.of(), CWD);
    }

    private static LaunchPlan.Runtime runtime() {
        return new LaunchPlan.Runtime(Path.of("/st"), "secret", "token", "jdbc:postgresql://127.0.0.1:5433/chainboot", "chainboot",
                "pw", Optional.empty());
    }

    @Test
    void theEndToEndCommandLine() throws Exception {
        LaunchPlan p = LaunchPlan.of(opts("--address", "10.77.0.1", "--interface", "br0", "--dhcp-mode", "full",
                "--pool", "10.77.0.100-10.77.0.200", "--state", "/tmp/x"), NAMESPACE_AS_ROOT);
        assertThat(p.address()).isEqualTo("10.77.0.1");
        assertThat(p.interfaceName()).contains("br0");
        assertThat(p.netmask()).isEqualTo("255.255.255.0");
        assertThat(p.dhcpPort()).isEqualTo(67);
        assertThat(p.tftpPort()).isEqualTo(69);
        assertThat(p.notices()).isEmpty();
        assertThat(p.options().state()).isEqualTo(Path.of("/tmp/x"));

        Map<String, String> dhcp = p.settings("dhcp-service", runtime());
        assertThat(dhcp).containsEntry("chainboot.dhcp.mode", "full")
                .containsEntry("chainboot.dhcp.interface", "br0")
                .containsEntry("chainboot.dhcp.router-advertisements", "auto")
                .containsEntry("chainboot.dhcp.server-address", "10.77.0.1")
                .containsEntry("chainboot.dhcp.port", "67")
                .containsEntry("chainboot.dhcp.proxy-port", "4011")
                .containsEntry("chainboot.dhcp.state-dir", "/st/dhcp")
                .containsEntry("chainboot.dhcp.pool.start", "10.77.0.100")
                .containsEntry("chainboot.dhcp.pool.end", "10.77.0.200")
                .containsEntry("chainboot.dhcp.pool.subnet-mask", "255.255.255.0")
                .containsEntry("chainboot.dhcp.script-url", "http://10.77.0.1:8081/boot.ipxe")
                .containsEntry("chainboot.dhcp.http-boot-url", "http://10.77.0.1:8081/boot-files/")
                .containsEntry("chainboot.dhcp.tftp-server", "10.77.0.1")
                .containsEntry("chainboot.common.die-with-parent", "true")
                .containsEntry("chainboot.common.cluster-secret", "secret")
                .containsEntry("kafka.bootstrap.servers", "127.0.0.1:9092")
                .containsEntry("quarkus.http.port", "8082")
                .doesNotContainKey("chainboot.dhcp.pool.router")
                .doesNotContainKey("chainboot.dhcp.relay-pools");
        assertThat(p.settings("inventory-service", runtime())).as("reserved IPs are checked against the pool's subnet")
                .containsEntry("chainboot.inventory.subnet", "10.77.0.0/24")
                .containsEntry("chainboot.inventory.upstream.iscsi-url", "http://127.0.0.1:8084");
    }

    @Test
    void everyServiceGetsItsContractKeys() throws Exception {
        LaunchPlan p = LaunchPlan.of(opts("--address", "10.77.0.1", "--http-port-base", "9100"), NAMESPACE_AS_ROOT);
        assertThat(p.settings("tftp-service", runtime())).containsEntry("chainboot.tftp.port", "69")
                .containsEntry("chainboot.tftp.root", "/st/tftp").containsEntry("quarkus.http.port", "9103")
                .as("GRUB's configurations (Secure Boot path) come from script-service")
                .containsEntry("chainboot.tftp.grub-config-url", "http://10.77.0.1:9101/grub/");
        assertThat(p.settings("script-service", runtime())).containsEntry("chainboot.script.profiles-dir", "/st/profiles")
                .containsEntry("chainboot.script.assets-dir", "/st/assets")
                .containsEntry("chainboot.script.boot-files-dir", "/st/tftp")
                .containsEntry("chainboot.script.iscsi-server", "10.77.0.1")
                .containsEntry("chainboot.script.iscsi-port", "3260")
                .containsEntry("chainboot.script.base-url", "http://10.77.0.1:9101")
                .containsEntry("quarkus.http.port", "9101");
        assertThat(p.settings("iscsi-service", runtime())).containsEntry("chainboot.iscsi.port", "3260")
                .containsEntry("chainboot.iscsi.portal-address", "10.77.0.1")
                .containsEntry("chainboot.iscsi.disks-dir", "/st/iscsi/disks")
                .containsEntry("chainboot.iscsi.images-dir", "/st/iscsi/images")
                .containsEntry("chainboot.iscsi.import-dir", "/st/iscsi/import");
        assertThat(p.settings("inventory-service", runtime()))
                .containsEntry("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5433/chainboot")
                .containsEntry("quarkus.datasource.username", "chainboot")
                .containsEntry("quarkus.datasource.password", "pw")
                .containsEntry("chainboot.inventory.api-token", "token")
                .containsEntry("quarkus.http.port", "9100")
                .containsEntry("chainboot.inventory.upstream.iscsi-url", "http://127.0.0.1:" + p.httpPort("iscsi-service"))
                .containsEntry("chainboot.inventory.upstream.script-url", "http://127.0.0.1:9101")
                .doesNotContainKey("chainboot.inventory.subnet")
                .doesNotContainKey("chainboot.inventory.machines-file");
        assertThat(LaunchPlan.of(opts("--address", "10.77.0.1", "--router-advertisements", "off"), NAMESPACE_AS_ROOT)
                .settings("dhcp-service", runtime())).containsEntry("chainboot.dhcp.router-advertisements", "off");
        assertThatThrownBy(() -> opts("--router-advertisements", "yes")).hasMessageContaining("--router-advertisements must be");
        assertThat(p.settings("dhcp-service", runtime())).containsEntry("chainboot.dhcp.mode", "proxy")
                .doesNotContainKey("chainboot.dhcp.pool.start");
    }

    @Test
    void withoutRootDhcpAndTftpMoveToDocumentedPortsWithANotice() throws Exception {
        LaunchPlan p = LaunchPlan.of(opts(), LAPTOP_AS_USER);
        assertThat(p.dhcpPort()).isEqualTo(1067);
        assertThat(p.tftpPort()).isEqualTo(1069);
        assertThat(p.proxyPort()).isEqualTo(4011);
        assertThat(p.iscsiPort()).isEqualTo(3260);
        assertThat(p.notices()).hasSize(2).allMatch(n -> n.startsWith("not root"));
        assertThat(p.address()).isEqualTo("192.168.1.23");
        assertThat(p.interfaceName()).contains("wlan0");
        assertThat(p.netmask()).isEqualTo("255.255.0.0");
    }

    @Test
    void withoutRootAnExplicitPrivilegedPortIsAClearError() {
        assertThatThrownBy(() -> LaunchPlan.of(opts("--dhcp-port", "67"), LAPTOP_AS_USER))
                .isInstanceOf(UsageException.class).hasMessageContaining("DHCP port 67 needs root").hasMessageContaining("--dhcp-port 1067");
        assertThatThrownBy(() -> LaunchPlan.of(opts("--http-port-base", "80"), LAPTOP_AS_USER))
                .isInstanceOf(UsageException.class).hasMessageContaining("port 80 needs root");
    }

    @Test
    void aLoweredUnprivilegedPortStartKeepsTheRealPorts() throws Exception {
        HostFacts relaxed = new HostFacts(false, 0, LAPTOP_AS_USER.interfaces(), LAPTOP_AS_USER.defaultRouteInterface());
        LaunchPlan p = LaunchPlan.of(opts(), relaxed);
        assertThat(p.dhcpPort()).isEqualTo(67);
        assertThat(p.tftpPort()).isEqualTo(69);
        assertThat(p.notices()).isEmpty();
    }

    @Test
    void addressMustBeOurs() {
        assertThatThrownBy(() -> LaunchPlan.of(opts("--address", "10.9.9.9"), NAMESPACE_AS_ROOT))
                .isInstanceOf(UsageException.class).hasMessageContaining("not an address of this host").hasMessageContaining("10.77.0.1 (br0)");
        assertThatThrownBy(() -> LaunchPlan.of(opts("--address", "10.77.0.1", "--interface", "lo"), NAMESPACE_AS_ROOT))
                .hasMessageContaining("is on interface br0");
        assertThatThrownBy(() -> LaunchPlan.of(opts("--interface", "eth7"), NAMESPACE_AS_ROOT))
                .hasMessageContaining("--interface eth7 does not exist");
    }

    @Test
    void interfaceAloneGivesItsAddress() throws Exception {
        assertThat(LaunchPlan.of(opts("--interface", "br0"), NAMESPACE_AS_ROOT).address()).isEqualTo("10.77.0.1");
    }

    @Test
    void noDefaultRouteFallsBackToLoopbackWithANotice() throws Exception {
        LaunchPlan p = LaunchPlan.of(opts(), NAMESPACE_AS_ROOT);
        assertThat(p.address()).isEqualTo("127.0.0.1");
        assertThat(p.notices()).anyMatch(n -> n.contains("127.0.0.1 only"));
    }

    @Test
    void poolMustBeInTheSubnetAndNotContainUs() {
        assertThatThrownBy(() -> LaunchPlan.of(opts("--address", "10.77.0.1", "--dhcp-mode", "full", "--pool", "10.78.0.10-10.78.0.20"),
                NAMESPACE_AS_ROOT)).hasMessageContaining("not in 10.77.0.1/255.255.255.0");
        assertThatThrownBy(() -> LaunchPlan.of(opts("--address", "10.77.0.1", "--dhcp-mode", "full", "--pool", "10.77.0.1-10.77.0.20"),
                NAMESPACE_AS_ROOT)).hasMessageContaining("contains our own address");
    }

    @Test
    void portClashesAreRefusedBeforeStarting() {
        assertThatThrownBy(() -> LaunchPlan.of(opts("--kafka-port", "8079"), NAMESPACE_AS_ROOT))
                .hasMessageContaining("port 8080/tcp is asked for twice: kafka and inventory-service");
    }

    @Test
    void parsesEveryOptionAndRejectsNonsense() throws Exception {
        LaunchOptions o = LaunchOptions.parse(List.of("--dhcp-mode=full", "--pool", "10.0.0.10-10.0.0.20", "--netmask", "255.255.0.0",
                "--router", "10.0.0.1", "--dns", "1.1.1.1,9.9.9.9", "--tftp-port", "6969", "--iscsi-port", "13260",
                "--kafka-port", "19092", "--postgres-port", "15432", "--timeout", "60", "--state", "st"), Map.of(), CWD);
        assertThat(o.dhcpMode()).isEqualTo(DhcpMode.FULL);
        assertThat(o.dns()).containsExactly("1.1.1.1", "9.9.9.9");
        assertThat(o.router()).contains("10.0.0.1");
        assertThat(o.tftpPort()).hasValue(6969);
        assertThat(o.state()).isEqualTo(Path.of("/srv/chainboot/st"));
        assertThat(o.timeoutSeconds()).isEqualTo(60);

        assertThat(LaunchOptions.parse(List.of(), Map.of("CHAINBOOT_STATE", "/var/lib/cb"), CWD).state()).isEqualTo(Path.of("/var/lib/cb"));
        assertThat(LaunchOptions.parse(List.of(), Map.of(), CWD).state()).isEqualTo(Path.of("/srv/chainboot/state"));

        assertThatThrownBy(() -> opts("--dhcp-mode", "full")).hasMessageContaining("needs --pool");
        assertThatThrownBy(() -> opts("--pool", "10.0.0.1-10.0.0.5")).hasMessageContaining("only apply to --dhcp-mode full");
        assertThatThrownBy(() -> opts("--dhcp-mode", "relay")).hasMessageContaining("proxy or full");
        assertThatThrownBy(() -> opts("--address", "10.0.0.256")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> opts("--address", "010.0.0.1")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> opts("--dhcp-mode", "full", "--pool", "10.0.0.9-10.0.0.1")).hasMessageContaining("is after its end");
        assertThatThrownBy(() -> opts("--netmask", "255.0.255.0")).hasMessageContaining("not a contiguous mask");
        assertThatThrownBy(() -> opts("--tftp-port", "70000")).hasMessageContaining("port number");
        assertThatThrownBy(() -> opts("--address")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> opts("--frobnicate", "1")).hasMessageContaining("unknown option --frobnicate");
        assertThatThrownBy(() -> opts("stray")).hasMessageContaining("unexpected argument");
    }

    @Test
    void ipv6OptionsTurnDhcpv6OnAndNameTheIpv6AddressInScriptsAndAreCheckedWhenGiven() throws Exception {
        LaunchPlan p = LaunchPlan.of(opts("--address", "10.77.0.1", "--dhcp-mode", "full", "--pool", "10.77.0.100-10.77.0.200",
                "--v6-pool", "fd77::100-fd77::1ff", "--v6-prefix=fd77::/64", "--address6", "fd77::1"), NAMESPACE_AS_ROOT);
        assertThat(p.settings("dhcp-service", runtime())).containsEntry("chainboot.dhcp.v6.pool", "fd77::100-fd77::1ff")
                .containsEntry("chainboot.dhcp.v6.server-address", "fd77::1")
                .containsEntry("chainboot.dhcp.router-advertisement-prefix", "fd77::/64");
        assertThat(p.settings("script-service", runtime())).containsEntry("chainboot.script.iscsi-server-v6", "fd77::1")
                .containsEntry("chainboot.script.iscsi-server", "10.77.0.1")
                .as("script-service listens on IPv6 too").containsEntry("quarkus.http.host", "::");
        assertThat(p.settings("tftp-service", runtime())).containsEntry("chainboot.tftp.bind-address", "::");
        assertThat(p.settings("iscsi-service", runtime())).containsEntry("chainboot.iscsi.bind-address", "::");
        assertThat(LaunchPlan.jvmOptions("dhcp-service")).as("IPv6 sockets are allowed")
                .noneMatch(o -> o.startsWith("-Djava.net.preferIPv4Stack"));

        LaunchPlan v4 = LaunchPlan.of(opts("--address", "10.77.0.1", "--dhcp-mode", "full", "--pool", "10.77.0.100-10.77.0.200"),
                NAMESPACE_AS_ROOT);
        assertThat(v4.settings("dhcp-service", runtime())).doesNotContainKeys("chainboot.dhcp.v6.pool",
                "chainboot.dhcp.v6.server-address", "chainboot.dhcp.router-advertisement-prefix");
        assertThat(v4.settings("script-service", runtime())).doesNotContainKeys("chainboot.script.iscsi-server-v6",
                "quarkus.http.host");
        assertThat(v4.settings("tftp-service", runtime())).as("IPv4 binds (the services' defaults) without --v6-pool")
                .doesNotContainKey("chainboot.tftp.bind-address");
        assertThat(v4.settings("iscsi-service", runtime())).doesNotContainKey("chainboot.iscsi.bind-address");

        String[] full = {"--dhcp-mode", "full", "--pool", "10.77.0.100-10.77.0.200"};
        assertThatThrownBy(() -> opts("--v6-pool", "fd77::100-fd77::1ff", "--address6", "fd77::1"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--v6-pool only applies to --dhcp-mode full");
        assertThatThrownBy(() -> opts(full[0], full[1], full[2], full[3], "--v6-pool", "fd77::100-fd77::1ff"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--v6-pool needs --address6");
        assertThatThrownBy(() -> opts(full[0], full[1], full[2], full[3], "--v6-pool", "10.0.0.1-10.0.0.9", "--address6", "fd77::1"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--v6-pool must be START-END of IPv6 addresses");
        assertThatThrownBy(() -> opts(full[0], full[1], full[2], full[3], "--v6-pool", "fd77::100-fd77::1ff", "--address6", "fd77::zz"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--address6: 'fd77::zz' is not an IPv6 address");
        assertThatThrownBy(() -> opts(full[0], full[1], full[2], full[3], "--v6-pool", "fd77::100-fd77::1ff", "--address6", "fd77::1",
                "--v6-prefix", "fd77::/48"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--v6-prefix must be an IPv6 prefix of length 64");
        assertThatThrownBy(() -> opts(full[0], full[1], full[2], full[3], "--address6", "fd77::1"))
                .isInstanceOf(UsageException.class).hasMessageContaining("only apply with --v6-pool");
    }

    @Test
    void relayPoolsAreRepeatableFullModeOnlyAndCheckedWhenGiven() throws Exception {
        LaunchPlan p = LaunchPlan.of(opts("--address", "10.77.0.1", "--dhcp-mode", "full", "--pool", "10.77.0.100-10.77.0.200",
                "--relay-pool", "10.78.0.100-10.78.0.200/24@10.78.0.1", "--relay-pool=10.79.0.10-10.79.0.20/24"), NAMESPACE_AS_ROOT);
        assertThat(p.settings("dhcp-service", runtime()))
                .containsEntry("chainboot.dhcp.relay-pools", "10.78.0.100-10.78.0.200/24@10.78.0.1,10.79.0.10-10.79.0.20/24");
        assertThatThrownBy(() -> opts("--relay-pool", "10.78.0.100-10.78.0.200/24"))
                .isInstanceOf(UsageException.class).hasMessageContaining("only apply to --dhcp-mode full");
        assertThatThrownBy(() -> opts("--dhcp-mode", "full", "--pool", "10.77.0.100-10.77.0.200", "--relay-pool", "10.78.0.100/24"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--relay-pool: '10.78.0.100/24' is not START-END/PREFIX[@ROUTER]");
        assertThatThrownBy(() -> opts("--dhcp-mode", "full", "--pool", "10.77.0.100-10.77.0.200", "--relay-pool", "10.78.0.1-10.78.0.9/24@999.1.1.1"))
                .isInstanceOf(UsageException.class).hasMessageContaining("is not START-END/PREFIX[@ROUTER]");
    }

    @Test
    void readsHostFacts() {
        assertThat(HostFacts.effectiveUid("Name:\tjava\nUid:\t1000\t0\t0\t0\nGid:\t1\n")).isZero();
        assertThat(HostFacts.effectiveUid("Uid:\t1000\t1000\t1000\t1000\n")).isEqualTo(1000);
        String route = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
                + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
                + "wlan0\t00000000\t010200C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n";
        assertThat(HostFacts.defaultRouteInterface(route)).contains("wlan0");
        assertThat(HostFacts.defaultRouteInterface("Iface\tDestination\n")).isEmpty();
        assertThat(HostFacts.probe().interfaces()).isNotEmpty();
    }

    @Test
    void probesTheWholeSysctlValue() throws Exception {
        // procfs reports size 0; a naive read returned "1" of "1024" and made every port look unprivileged
        Process cat = new ProcessBuilder("cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start").start();
        int expected = Integer.parseInt(new String(cat.getInputStream().readAllBytes()).trim());
        assertThat(HostFacts.probe().unprivilegedPortStart()).isEqualTo(expected);
    }

    @Test
    void ipv4Helpers() {
        assertThat(Ipv4.maskOfPrefix(24)).isEqualTo("255.255.255.0");
        assertThat(Ipv4.maskOfPrefix(20)).isEqualTo("255.255.240.0");
        assertThat(Ipv4.isNetmask("255.255.240.0")).isTrue();
        assertThat(Ipv4.sameSubnet("10.1.2.3", "10.1.200.1", "255.255.0.0")).isTrue();
        assertThat(Ipv4.sameSubnet("10.1.2.3", "10.2.0.1", "255.255.0.0")).isFalse();
    }

    @Test
    void withAMachinesFileInventoryIsReadyBeforeTheServicesThatDecideBoots() {
        assertThat(LaunchPlan.startPhases(false)).containsExactly(LaunchPlan.SERVICES);
        assertThat(LaunchPlan.startPhases(true)).containsExactly(List.of("inventory-service", "tftp-service"),
                List.of("script-service", "dhcp-service", "iscsi-service"));
    }

    @Test
    void theBootPathRunsAtNormalPriorityAndBookkeepingBelowIt() {
        for (String s : List.of("dhcp-service", "tftp-service", "script-service", "iscsi-service")) {
            assertThat(LaunchPlan.niceness(s)).as(s).isZero();
        }
        assertThat(LaunchPlan.niceness("kafka")).isEqualTo(5);
        assertThat(LaunchPlan.niceness("inventory-service")).isEqualTo(10);
        assertThat(LaunchPlan.niceness("postgres")).isEqualTo(10);
    }
}
