package io.chainboot.dhcp.server;

import io.chainboot.common.testing.FixedMachines;
import io.chainboot.dhcp.Requests;
import io.chainboot.dhcp.boot.BootSettings;
import io.chainboot.dhcp.codec.DhcpPacket;
import io.chainboot.dhcp.codec.MessageType;
import io.chainboot.dhcp.codec.OptionCode;
import io.chainboot.dhcp.codec.SubOptions;
import io.chainboot.dhcp.lease.LeaseTable;
import io.chainboot.dhcp.lease.Pool;
import io.chainboot.events.DhcpEvents;
import io.chainboot.events.EventSource;
import io.chainboot.events.ClientKind;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DhcpResponderTest {
    static final Ipv4Address SERVER = Ipv4Address.parse("10.9.0.1");
    static final MacAddress MAC = MacAddress.parse("52:54:00:00:00:01");
    static final MacAddress OTHER = MacAddress.parse("52:54:00:00:00:02");
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final Ingress BROADCAST_IN = new Ingress(Ipv4Address.ANY, 68, false);
    static final String SCRIPT = "http://10.9.0.1:8081/boot.ipxe?mac=${mac:hexhyp}&uuid=${uuid}&arch=${buildarch}&platform=${platform}"
            + "&manufacturer=${manufacturer:uristring}&serial=${serial:uristring}";

    @TempDir
    Path state;
    LeaseTable table;

    @AfterEach
    void close() {
        if (table != null) {
            table.close();
        }
    }

    static DhcpSettings settings(Mode mode, Optional<String> httpBoot) throws Exception {
        return new DhcpSettings(mode, InetAddress.getByName("0.0.0.0"), 67, 4011, 68, SERVER,
                Optional.of(new Pool(Ipv4Address.parse("10.9.0.100"), Ipv4Address.parse("10.9.0.102"),
                        Ipv4Address.parse("255.255.255.0"), Optional.of(SERVER), List.of(SERVER))),
                Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofMinutes(10), Path.of("unused"), false,
                new BootSettings("http://10.9.0.1:8081/boot.ipxe", "10.9.0.1", "undionly.kpxe", "ipxe.efi", "ipxe-arm64.efi",
                        httpBoot), 0, 0, false);
    }

    DhcpResponder proxy(MachineSpec... specs) throws Exception {
        return new DhcpResponder(settings(Mode.PROXY, Optional.of("http://10.9.0.1:8080/boot")), Optional.empty(),
                new FixedMachines(specs), new EventSource("dhcp-service", "t"));
    }

    DhcpResponder full(MachineSpec... specs) throws Exception {
        return full(settings(Mode.FULL, Optional.empty()), specs);
    }

    DhcpResponder full(DhcpSettings s, MachineSpec... specs) throws Exception {
        FixedMachines m = new FixedMachines(specs);
        table = new LeaseTable(s.pool().orElseThrow(), state, false, ip -> m.all().stream()
                .filter(x -> ip.equals(x.reservedIp())).map(MachineSpec::mac).findFirst());
        return new DhcpResponder(s, Optional.of(table), m, new EventSource("dhcp-service", "t"));
    }

    /** The reason a reply was withheld; fails when the reply was sent. */
    static String silent(Reply r) {
        assertThat(r).as(r.toString()).isInstanceOf(Reply.Silent.class);
        return ((Reply.Silent) r).reason();
    }

    static Reply.Send sent(Reply r) {
        assertThat(r).as(r.toString()).isInstanceOf(Reply.Send.class);
        return (Reply.Send) r;
    }

    static MachineSpec spec(MacAddress mac, Ipv4Address reserved, boolean netboot, String bootFile) {
        return new MachineSpec(mac, null, "pc1", reserved, null, Map.of(), Map.of(), null, null, netboot, bootFile, NOW);
    }

    // ------------------------------------------------------------------ proxyDHCP

    @Test
    void proxyAnswersPxeFirmwareWithBootInfoAndNoAddress() throws Exception {
        Reply.Send s = sent(proxy().replyTo(Requests.request(MAC, MessageType.DISCOVER, Requests.pxe(0)), BROADCAST_IN, NOW));
        DhcpPacket p = s.packet();
        assertThat(p.messageType()).contains(MessageType.OFFER);
        assertThat(p.yiaddr()).isEqualTo(Ipv4Address.ANY);
        assertThat(p.siaddr()).isEqualTo(SERVER);
        assertThat(p.file()).isEqualTo("undionly.kpxe");
        assertThat(p.vendorClass()).contains("PXEClient");
        assertThat(p.options().bytes(OptionCode.CLIENT_UUID)).isPresent();
        assertThat(p.options().has(OptionCode.LEASE_TIME)).isFalse();
        assertThat(SubOptions.decode(p.options().bytes(OptionCode.VENDOR_SPECIFIC).orElseThrow()).orElseThrow()
                .get(OptionCode.PXE_DISCOVERY_CONTROL)).containsExactly(8);
        assertThat(s.to()).isEqualTo(new Destination(Ipv4Address.BROADCAST, 68));
        DhcpEvents.Offered ev = (DhcpEvents.Offered) s.events().get(0);
        assertThat(ev.mode()).isEqualTo("proxy");
        assertThat(ev.ip()).isNull();
        assertThat(ev.client()).isEqualTo(ClientKind.FIRMWARE);
        assertThat(ev.arch()).isEqualTo(0);
        assertThat(ev.uuid()).isEqualTo("67452301-ab89-efcd-0123-456789abcdef");
    }

    @Test
    void proxyIgnoresClientsThatAreNotBooting() throws Exception {
        assertThat(silent(proxy().replyTo(Requests.request(MAC, MessageType.DISCOVER, Requests.none()), BROADCAST_IN, NOW)))
                .isEqualTo("proxy mode answers only PXE/HTTP boot clients (option 60)");
        // a REQUEST on 67 belongs to the address server
        assertThat(silent(proxy().replyTo(Requests.request(MAC, MessageType.REQUEST, Requests.pxe(0)), BROADCAST_IN, NOW)))
                .isEqualTo("proxy mode: REQUEST on port 67 is for the address server");
    }

    @Test
    void proxyPortRequestIsAnsweredToItsSource() throws Exception {
        Ingress in = new Ingress(Ipv4Address.parse("10.9.0.55"), 68, true);
        Reply.Send s = sent(proxy().replyTo(Requests.request(MAC, MessageType.REQUEST, Ipv4Address.parse("10.9.0.55"),
                Ipv4Address.ANY, Requests.pxe(7)), in, NOW));
        assertThat(s.packet().messageType()).contains(MessageType.ACK);
        assertThat(s.packet().file()).isEqualTo("ipxe.efi");
        assertThat(s.to()).isEqualTo(new Destination(Ipv4Address.parse("10.9.0.55"), 68));
        assertThat(s.events().get(0)).isInstanceOf(DhcpEvents.Acked.class);
    }

    /** iPXE before 2020 (QEMU's ROMs) takes a proxy offer/ACK only with siaddr and a boot file (found by e2e-tests). */
    @Test
    void proxyRepliesToIpxeNameTheServerAsNextServer() throws Exception {
        DhcpPacket offer = sent(proxy().replyTo(Requests.request(MAC, MessageType.DISCOVER, Requests.ipxe(0)), BROADCAST_IN, NOW)).packet();
        assertThat(offer.options().string(OptionCode.BOOTFILE_NAME)).contains(SCRIPT);
        assertThat(offer.file()).as("the URL is longer than the 127-byte header field: option 67 only").isEmpty();
        assertThat(offer.siaddr()).isEqualTo(SERVER);
        Ingress in = new Ingress(Ipv4Address.parse("10.9.0.55"), 68, true);
        DhcpPacket ack = sent(proxy().replyTo(Requests.request(MAC, MessageType.REQUEST, Ipv4Address.parse("10.9.0.55"),
                Ipv4Address.ANY, Requests.ipxe(0)), in, NOW)).packet();
        assertThat(ack.siaddr()).isEqualTo(SERVER);
    }

    @Test
    void bootTableByArchitectureAndClient() throws Exception {
        DhcpResponder r = proxy();
        assertThat(file(r, Requests.pxe(0))).isEqualTo("undionly.kpxe");
        assertThat(file(r, Requests.pxe(7))).isEqualTo("ipxe.efi");
        assertThat(file(r, Requests.pxe(9))).isEqualTo("ipxe.efi");
        assertThat(file(r, Requests.pxe(11))).isEqualTo("ipxe-arm64.efi");
        assertThat(file(r, Requests.ipxe(7))).isEqualTo(SCRIPT);
        assertThat(silent(r.replyTo(Requests.request(MAC, MessageType.DISCOVER, Requests.pxe(6)), BROADCAST_IN, NOW)))
                .isEqualTo("no loader for client architecture 6"); // no IA32 EFI loader configured
        DhcpPacket http = sent(r.replyTo(Requests.request(MAC, MessageType.DISCOVER, o -> o
                .string(OptionCode.VENDOR_CLASS, "HTTPClient:Arch:00016:UNDI:003001").put(OptionCode.CLIENT_ARCH, new byte[] {0, 16})),
                BROADCAST_IN, NOW)).packet();
        assertThat(http.file()).isEqualTo("http://10.9.0.1:8080/boot/ipxe.efi?mac=52-54-00-00-00-01");
        assertThat(http.vendorClass()).contains("HTTPClient");
    }

    /** UEFI HTTP Boot in full mode: OFFER and ACK carry an address, 60 = HTTPClient and the loader URL in 67. */
    @Test
    void fullModeAnswersHttpBootWithTheLoaderUrlAndHttpClient() throws Exception {
        DhcpSettings base = settings(Mode.FULL, Optional.of("http://10.9.0.1:8081/boot-files/"));
        DhcpSettings s = new DhcpSettings(base.mode(), base.bindAddress(), base.port(), base.proxyPort(), base.clientPort(),
                base.serverAddress(), base.pool(), base.leaseTime(), base.offerHold(), base.declineQuarantine(),
                base.stateDir(), base.fsync(), new BootSettings("http://10.9.0.1:8081/boot.ipxe", "10.9.0.1", "undionly.kpxe",
                "snponly.efi", "ipxe-arm64.efi", Optional.of("http://10.9.0.1:8081/boot-files/"), "ipxe.efi", "arm.efi"),
                0, 0, false);
        DhcpResponder r = full(s);
        Reply.Send offer = sent(r.replyTo(Requests.request(MAC, MessageType.DISCOVER, Requests.http(16)), BROADCAST_IN, NOW));
        assertThat(offer.packet().yiaddr()).isEqualTo(Ipv4Address.parse("10.9.0.100"));
        assertThat(offer.packet().vendorClass()).contains("HTTPClient");
        assertThat(offer.packet().options().string(OptionCode.BOOTFILE_NAME)).contains("http://10.9.0.1:8081/boot-files/ipxe.efi?mac=52-54-00-00-00-01");
        assertThat(offer.packet().file()).isEqualTo("http://10.9.0.1:8081/boot-files/ipxe.efi?mac=52-54-00-00-00-01");
        assertThat(offer.packet().options().has(OptionCode.VENDOR_SPECIFIC)).as("no PXE option 43 for HTTP Boot").isFalse();
        assertThat(offer.packet().options().has(OptionCode.TFTP_SERVER_NAME)).as("no TFTP server for a URL").isFalse();
        assertThat(((DhcpEvents.Offered) offer.events().get(0)).client()).isEqualTo(ClientKind.FIRMWARE);
        Reply.Send ack = sent(r.replyTo(Requests.request(MAC, MessageType.REQUEST, o -> {
            Requests.http(16).accept(o);
            o.ip(OptionCode.SERVER_ID, SERVER).ip(OptionCode.REQUESTED_IP, Ipv4Address.parse("10.9.0.100"));
        }), BROADCAST_IN, NOW));
        assertThat(ack.packet().messageType()).contains(MessageType.ACK);
        assertThat(ack.packet().vendorClass()).contains("HTTPClient");
        assertThat(((DhcpEvents.Acked) ack.events().get(0)).bootFile()).isEqualTo("http://10.9.0.1:8081/boot-files/ipxe.efi?mac=52-54-00-00-00-01");
        // the HTTP loader is its own setting per architecture: PXE x64 still gets snponly.efi
        assertThat(sent(r.replyTo(Requests.request(OTHER, MessageType.DISCOVER, Requests.pxe(7)), BROADCAST_IN, NOW))
                .packet().file()).isEqualTo("snponly.efi");
        assertThat(sent(r.replyTo(Requests.request(OTHER, MessageType.DISCOVER, Requests.http(19)), BROADCAST_IN, NOW))
                .packet().file()).isEqualTo("http://10.9.0.1:8081/boot-files/arm.efi?mac=52-54-00-00-00-02");
    }

    @Test
    void httpBootClientsWithoutHttpBootUrlGetAnAddressButNoBootFile() throws Exception {
        Reply.Send offer = sent(full().replyTo(Requests.request(MAC, MessageType.DISCOVER, Requests.http(16)), BROADCAST_IN, NOW));
        assertThat(offer.packet().options().has(OptionCode.BOOTFILE_NAME)).isFalse();
        assertThat(offer.packet().file()).isEmpty();
        assertThat(proxyWithout().replyTo(Requests.request(MAC, MessageType.DISCOVER, Requests.http(16)), BROADCAST_IN, NOW))
                .satisfies(x -> assertThat(silent(x)).isEqualTo("HTTP boot not configured (chainboot.dhcp.http-boot-url)"));
        assertThat(silent(proxy().replyTo(Requests.request(MAC, MessageType.DISCOVER, Requests.http(6)), BROADCAST_IN, NOW)))
                .isEqualTo("no HTTP boot loader for client architecture 6");
    }

    DhcpResponder proxyWithout() throws Exception {
        return new DhcpResponder(settings(Mode.PROXY, Optional.empty()), Optional.empty(), new FixedMachines(),
                new EventSource("dhcp-service", "t"));
    }

    static final Ipv4Address RELAY = Ipv4Address.parse("10.8.0.1");
    static final Pool RELAYED = new Pool(Ipv4Address.parse("10.8.0.100"), Ipv4Address.parse("10.8.0.101"),
            Ipv4Address.parse("255.255.255.0"), Optional.of(RELAY), List.of(SERVER));

    /** Full mode with a second pool behind a relay (10.8.0.0/24, relay agent 10.8.0.1). */
    DhcpResponder relayed() throws Exception {
        DhcpSettings s = settings(Mode.FULL, Optional.empty());
        table = new LeaseTable(s.pool().orElseThrow(), state, false, ip -> Optional.empty());
        relayTable = new LeaseTable(RELAYED, state.resolve("relay"), false, ip -> Optional.empty());
        return new DhcpResponder(s, List.of(table, relayTable), new FixedMachines(), new EventSource("dhcp-service", "t"));
    }

    LeaseTable relayTable;

    @AfterEach
    void closeRelay() {
        if (relayTable != null) {
            relayTable.close();
        }
    }

    /** RFC 2131 §4.3.1: the pool of giaddr's subnet, its router and mask; §4.1: the reply to the relay's port 67. */
    @Test
    void aRelayedDiscoverIsOfferedAnAddressOfTheRelaysSubnetAndAnsweredToTheRelay() throws Exception {
        DhcpResponder r = relayed();
        Reply.Send offer = sent(r.replyTo(Requests.request(MAC, MessageType.DISCOVER, Ipv4Address.ANY, RELAY, Requests.ipxe(0)),
                new Ingress(RELAY, 67, false), NOW));
        assertThat(offer.packet().yiaddr()).isEqualTo(Ipv4Address.parse("10.8.0.100"));
        assertThat(offer.packet().giaddr()).isEqualTo(RELAY);
        assertThat(offer.packet().options().ip(OptionCode.ROUTER)).contains(RELAY);
        assertThat(offer.packet().options().ip(OptionCode.SUBNET_MASK)).contains(Ipv4Address.parse("255.255.255.0"));
        assertThat(offer.packet().options().ip(OptionCode.SERVER_ID)).contains(SERVER);
        assertThat(offer.to()).isEqualTo(new Destination(RELAY, 67));
        Reply.Send ack = sent(r.replyTo(Requests.request(MAC, MessageType.REQUEST, Ipv4Address.ANY, RELAY, o -> {
            Requests.ipxe(0).accept(o);
            o.ip(OptionCode.SERVER_ID, SERVER).ip(OptionCode.REQUESTED_IP, Ipv4Address.parse("10.8.0.100"));
        }), new Ingress(RELAY, 67, false), NOW));
        assertThat(ack.packet().messageType()).contains(MessageType.ACK);
        assertThat(ack.to()).isEqualTo(new Destination(RELAY, 67));
        assertThat(relayTable.bindingOf(MAC, NOW)).isPresent();
        assertThat(table.bindingOf(MAC, NOW)).as("nothing bound in the local pool").isEmpty();
        // a local client at the same time gets the local pool, broadcast on the LAN
        Reply.Send local = sent(r.replyTo(Requests.request(OTHER, MessageType.DISCOVER, Requests.pxe(0)), BROADCAST_IN, NOW));
        assertThat(local.packet().yiaddr()).isEqualTo(Ipv4Address.parse("10.9.0.100"));
        assertThat(local.to()).isEqualTo(new Destination(Ipv4Address.BROADCAST, 68));
    }

    @Test
    void aRelayedClientRenewsByUnicastFromItsAddressAndIsNakedForAnotherSubnetsAddress() throws Exception {
        DhcpResponder r = relayed();
        sent(r.replyTo(Requests.request(MAC, MessageType.REQUEST, Ipv4Address.ANY, RELAY, o -> o
                .ip(OptionCode.SERVER_ID, SERVER).ip(OptionCode.REQUESTED_IP, Ipv4Address.parse("10.8.0.101"))),
                new Ingress(RELAY, 67, false), NOW));
        Ipv4Address ip = Ipv4Address.parse("10.8.0.101");
        Reply.Send renew = sent(r.replyTo(Requests.request(MAC, MessageType.REQUEST, ip, Ipv4Address.ANY, Requests.none()),
                new Ingress(ip, 68, false), NOW.plusSeconds(1800)));
        assertThat(renew.packet().messageType()).contains(MessageType.ACK);
        assertThat(renew.packet().yiaddr()).isEqualTo(ip);
        assertThat(renew.to()).isEqualTo(new Destination(ip, 68));
        // INIT-REBOOT through the relay with an address of the local subnet: not on that network
        Reply.Send nak = sent(r.replyTo(Requests.request(OTHER, MessageType.REQUEST, Ipv4Address.ANY, RELAY, o -> o
                .ip(OptionCode.REQUESTED_IP, Ipv4Address.parse("10.9.0.100"))), new Ingress(RELAY, 67, false), NOW));
        assertThat(nak.packet().messageType()).contains(MessageType.NAK);
        assertThat(nak.to()).as("a NAK through a relay goes to the relay").isEqualTo(new Destination(RELAY, 67));
    }

    @Test
    void aRelayOnASubnetWithoutAPoolIsNotAnswered() throws Exception {
        Ipv4Address stranger = Ipv4Address.parse("10.99.0.1");
        assertThat(silent(relayed().replyTo(Requests.request(MAC, MessageType.DISCOVER, Ipv4Address.ANY, stranger,
                Requests.pxe(0)), new Ingress(stranger, 67, false), NOW)))
                .isEqualTo("relayed by 10.99.0.1: no pool on that subnet (chainboot.dhcp.relay-pools)");
        assertThat(silent(full().replyTo(Requests.request(MAC, MessageType.DISCOVER, Ipv4Address.ANY, RELAY,
                Requests.pxe(0)), new Ingress(RELAY, 67, false), NOW)))
                .as("one pool only: a relay elsewhere is not ours").startsWith("relayed by 10.8.0.1");
    }

    @Test
    void machineSpecDisablesOrOverridesNetworkBoot() throws Exception {
        assertThat(silent(proxy(spec(MAC, null, false, null)).replyTo(Requests.request(MAC, MessageType.DISCOVER, Requests.pxe(0)),
                BROADCAST_IN, NOW))).isEqualTo("network boot disabled for this machine");
        DhcpResponder r = proxy(spec(MAC, null, true, "http://10.9.0.1:8081/custom.ipxe"));
        assertThat(file(r, Requests.ipxe(0))).isEqualTo("http://10.9.0.1:8081/custom.ipxe");
        assertThat(file(r, Requests.pxe(0))).isEqualTo("undionly.kpxe"); // a URL is not for PXE firmware
        assertThat(file(proxy(spec(MAC, null, true, "snponly.efi")), Requests.pxe(7))).isEqualTo("snponly.efi");
    }

    private static String file(DhcpResponder r, java.util.function.Consumer<io.chainboot.dhcp.codec.DhcpOptions.Builder> o) {
        DhcpPacket p = sent(r.replyTo(Requests.request(MAC, MessageType.DISCOVER, o), BROADCAST_IN, NOW)).packet();
        return p.options().string(OptionCode.BOOTFILE_NAME).orElseThrow();
    }

    // ------------------------------------------------------------------ full DHCP

    Reply.Send dora(DhcpResponder r, MacAddress mac, java.util.function.Consumer<io.chainboot.dhcp.codec.DhcpOptions.Builder> kind) {
        Reply.Send offer = sent(r.replyTo(Requests.request(mac, MessageType.DISCOVER, kind), BROADCAST_IN, NOW));
        Ipv4Address ip = offer.packet().yiaddr();
        return sent(r.replyTo(Requests.request(mac, MessageType.REQUEST, kind.andThen(o -> o.ip(OptionCode.REQUESTED_IP, ip)
                .ip(OptionCode.SERVER_ID, SERVER))), BROADCAST_IN, NOW));
    }

    @Test
    void fullModeDoraGivesALeaseAndIpxeGetsNoPxeDhcp() throws Exception {
        DhcpResponder r = full();
        Reply.Send ack = dora(r, MAC, Requests.ipxe(7));
        DhcpPacket p = ack.packet();
        assertThat(p.messageType()).contains(MessageType.ACK);
        assertThat(p.yiaddr()).isEqualTo(Ipv4Address.parse("10.9.0.100"));
        assertThat(p.options().u32(OptionCode.LEASE_TIME)).contains(3600L);
        assertThat(p.options().ip(OptionCode.SUBNET_MASK)).contains(Ipv4Address.parse("255.255.255.0"));
        assertThat(p.options().string(OptionCode.BOOTFILE_NAME)).contains(SCRIPT);
        assertThat(SubOptions.decode(p.options().bytes(OptionCode.IPXE_ENCAP).orElseThrow()).orElseThrow()
                .get(OptionCode.IPXE_NO_PXEDHCP)).containsExactly(1);
        assertThat(ack.leaseChanges()).hasSize(1);
        DhcpEvents.Acked ev = (DhcpEvents.Acked) ack.events().get(0);
        assertThat(ev.client()).isEqualTo(ClientKind.IPXE);
        assertThat(ev.ip()).isEqualTo(Ipv4Address.parse("10.9.0.100"));
        assertThat(ev.hostname()).isNull();
        // the next machine gets the next address; the first keeps its own
        assertThat(dora(r, OTHER, Requests.pxe(0)).packet().yiaddr()).isEqualTo(Ipv4Address.parse("10.9.0.101"));
        assertThat(dora(r, MAC, Requests.none()).packet().yiaddr()).isEqualTo(Ipv4Address.parse("10.9.0.100"));
    }

    @Test
    void reservedAddressGoesOnlyToItsMachine() throws Exception {
        Ipv4Address reserved = Ipv4Address.parse("10.9.0.100");
        DhcpResponder r = full(spec(MAC, reserved, true, null));
        assertThat(dora(r, OTHER, Requests.none()).packet().yiaddr()).isEqualTo(Ipv4Address.parse("10.9.0.101"));
        Reply.Send ack = dora(r, MAC, Requests.none());
        assertThat(ack.packet().yiaddr()).isEqualTo(reserved);
        assertThat(ack.packet().options().string(OptionCode.HOSTNAME)).contains("pc1");
        // OTHER asking for it by INIT-REBOOT is refused
        Reply.Send nak = sent(r.replyTo(Requests.request(OTHER, MessageType.REQUEST, o -> o.ip(OptionCode.REQUESTED_IP, reserved)),
                BROADCAST_IN, NOW));
        assertThat(nak.packet().messageType()).contains(MessageType.NAK);
        assertThat(nak.to()).isEqualTo(new Destination(Ipv4Address.BROADCAST, 68));
    }

    @Test
    void declinedAddressIsQuarantinedAndReleasedAddressIsFreed() throws Exception {
        DhcpResponder r = full();
        Ipv4Address first = dora(r, MAC, Requests.none()).packet().yiaddr();
        Reply decline = r.replyTo(Requests.request(MAC, MessageType.DECLINE, o -> o.ip(OptionCode.REQUESTED_IP, first)
                .ip(OptionCode.SERVER_ID, SERVER)), BROADCAST_IN, NOW);
        assertThat(silent(decline)).isEqualTo("declined " + first);
        assertThat(decline.events().get(0)).isInstanceOf(DhcpEvents.Declined.class);
        Ipv4Address second = dora(r, MAC, Requests.none()).packet().yiaddr();
        assertThat(second).isNotEqualTo(first);
        assertThat(sent(r.replyTo(Requests.request(OTHER, MessageType.REQUEST, o -> o.ip(OptionCode.REQUESTED_IP, first)),
                BROADCAST_IN, NOW)).packet().messageType()).contains(MessageType.NAK);
        Reply release = r.replyTo(Requests.request(MAC, MessageType.RELEASE, second, Ipv4Address.ANY,
                o -> o.ip(OptionCode.SERVER_ID, SERVER)), new Ingress(second, 68, false), NOW);
        assertThat(release.events().get(0)).isInstanceOf(DhcpEvents.Released.class);
        assertThat(release.leaseChanges()).containsExactly(new Reply.LeaseChange.Remove(second));
        assertThat(table.bindingOf(MAC, NOW)).isEmpty();
    }

    @Test
    void renewingIsUnicastToCiaddrAndRelayedRequestsGoBackToTheRelay() throws Exception {
        DhcpResponder r = full();
        Ipv4Address ip = dora(r, MAC, Requests.none()).packet().yiaddr();
        Reply.Send renew = sent(r.replyTo(Requests.request(MAC, MessageType.REQUEST, ip, Ipv4Address.ANY, Requests.none()),
                new Ingress(ip, 68, false), NOW));
        assertThat(renew.packet().messageType()).contains(MessageType.ACK);
        assertThat(renew.packet().ciaddr()).isEqualTo(ip);
        assertThat(renew.to()).isEqualTo(new Destination(ip, 68));
        Ipv4Address relay = Ipv4Address.parse("10.9.0.254");
        Reply.Send relayed = sent(r.replyTo(Requests.request(OTHER, MessageType.DISCOVER, Ipv4Address.ANY, relay,
                Requests.none()), new Ingress(relay, 67, false), NOW));
        assertThat(relayed.to()).isEqualTo(new Destination(relay, 67));
    }

    @Test
    void wrongNetworkIsNakedOtherServersOfferIsLeftAloneAndPoolExhaustionIsSilent() throws Exception {
        DhcpResponder r = full();
        assertThat(sent(r.replyTo(Requests.request(MAC, MessageType.REQUEST, o -> o.ip(OptionCode.REQUESTED_IP,
                Ipv4Address.parse("192.168.1.5"))), BROADCAST_IN, NOW)).packet().messageType()).contains(MessageType.NAK);
        sent(r.replyTo(Requests.request(MAC, MessageType.DISCOVER, Requests.none()), BROADCAST_IN, NOW));
        assertThat(silent(r.replyTo(Requests.request(MAC, MessageType.REQUEST, o -> o.ip(OptionCode.REQUESTED_IP,
                Ipv4Address.parse("10.9.0.100")).ip(OptionCode.SERVER_ID, Ipv4Address.parse("10.9.0.2"))), BROADCAST_IN, NOW)))
                .isEqualTo("client selected server 10.9.0.2");
        for (int i = 0; i < 3; i++) {
            dora(r, MacAddress.parse("52:54:00:00:01:0" + i), Requests.none());
        }
        assertThat(r.replyTo(Requests.request(MAC, MessageType.DISCOVER, Requests.none()), BROADCAST_IN, NOW))
                .isEqualTo(Reply.Silent.because("pool exhausted"));
    }

    @Test
    void informGetsConfigurationWithoutALease() throws Exception {
        DhcpResponder r = full();
        Ipv4Address ip = Ipv4Address.parse("10.9.0.77");
        Reply.Send s = sent(r.replyTo(Requests.request(MAC, MessageType.INFORM, ip, Ipv4Address.ANY, Requests.none()),
                new Ingress(ip, 68, false), NOW));
        assertThat(s.packet().messageType()).contains(MessageType.ACK);
        assertThat(s.packet().yiaddr()).isEqualTo(Ipv4Address.ANY);
        assertThat(s.packet().options().has(OptionCode.LEASE_TIME)).isFalse();
        assertThat(s.to()).isEqualTo(new Destination(ip, 68));
    }

    @Test
    void nmapStyleClientAskingForOption67GetsTheBiosFile() throws Exception {
        DhcpPacket offer = sent(full().replyTo(Requests.request(MAC, MessageType.DISCOVER,
                o -> o.put(OptionCode.PARAMETER_REQUEST_LIST, new byte[] {1, 3, 67})), BROADCAST_IN, NOW)).packet();
        assertThat(offer.file()).isEqualTo("undionly.kpxe");
    }
}
