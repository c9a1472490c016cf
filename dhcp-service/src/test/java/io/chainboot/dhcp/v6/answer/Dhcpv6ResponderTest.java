package io.chainboot.dhcp.v6.answer;

import io.chainboot.dhcp.v6.codec.Dhcpv6Codec;
import io.chainboot.dhcp.v6.codec.Dhcpv6Message;
import io.chainboot.dhcp.v6.codec.Dhcpv6MessageType;
import io.chainboot.dhcp.v6.codec.Dhcpv6Option;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The DHCPv6 decisions, fed the real clients' captured messages (OVMF PXEv6, dhclient -6). */
class Dhcpv6ResponderTest {
    static final byte[] DUID = HexFormat.of().parseHex("00030001525400770001");
    static final Inet6Address LEASED = v6("fd00:77::100");
    final List<Long> asked = new ArrayList<>();

    static Inet6Address v6(String s) {
        try {
            return (Inet6Address) InetAddress.getByName(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static Dhcpv6Message golden(String name) throws IOException {
        try (InputStream in = Dhcpv6ResponderTest.class.getResourceAsStream("/golden-v6/" + name + ".hex")) {
            return Dhcpv6Codec.decode(HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip()))
                    .orElseThrow();
        }
    }

    Dhcpv6Responder responder(boolean addresses) {
        return new Dhcpv6Responder(new Dhcpv6Settings(addresses, DUID, "tftp://[fd00:77::1]/", "http://[fd00:77::1]:8081/boot-files/",
                "ipxe.efi", "http://[fd00:77::1]:8081/boot.ipxe", Duration.ofHours(1)), (duid, iaid) -> {
            asked.add(iaid);
            return Optional.of(LEASED);
        });
    }

    /** The captured message with its server identifier replaced by ours (or removed when {@code duid} is null). */
    static Dhcpv6Message withServer(Dhcpv6Message m, byte[] duid) {
        List<Dhcpv6Option> o = new ArrayList<>(m.options().stream().filter(x -> x.code() != Dhcpv6Option.SERVER_ID).toList());
        if (duid != null) {
            o.add(1, new Dhcpv6Option(Dhcpv6Option.SERVER_ID, duid));
        }
        return new Dhcpv6Message(m.type(), m.transactionId(), o);
    }

    static Dhcpv6Message reencoded(Dhcpv6Message m) {
        return Dhcpv6Codec.decode(Dhcpv6Codec.encode(m)).orElseThrow();
    }

    @Test
    void ovmfsPxeSolicitGetsAnAdvertiseWithAnAddressAndTheTftpLoaderUrl() throws IOException {
        Dhcpv6Message solicit = golden("ovmf-pxe-solicit");
        Dhcpv6Message a = reencoded(responder(true).answer(solicit).orElseThrow());
        assertThat(a.type()).isEqualTo(Dhcpv6MessageType.ADVERTISE);
        assertThat(a.transactionId()).isEqualTo(solicit.transactionId());
        assertThat(a.clientId()).hasValue(solicit.clientId().orElseThrow());
        assertThat(a.serverId()).hasValue(DUID);
        assertThat(a.bootfileUrl()).contains("tftp://[fd00:77::1]/ipxe.efi");
        assertThat(a.iaNas()).singleElement().satisfies(ia -> {
            assertThat(ia.iaid()).isEqualTo(solicit.iaNas().get(0).iaid());
            assertThat(ia.t1()).isEqualTo(1800);
            assertThat(ia.t2()).isEqualTo(3150);
            assertThat(ia.addresses()).singleElement().satisfies(x -> {
                assertThat(x.address()).isEqualTo(LEASED);
                assertThat(x.validLifetime()).isEqualTo(3600);
            });
        });
        assertThat(asked).containsExactly(solicit.iaNas().get(0).iaid());
        assertThat(a.vendorClasses()).as("a PXE client gets no HTTPClient echo").isEmpty();
    }

    @Test
    void dhclientIsNoBootClientItGetsAnAddressAndNoBootFile() throws IOException {
        Dhcpv6Message a = responder(true).answer(golden("dhclient-solicit")).orElseThrow();
        assertThat(a.bootfileUrl()).isEmpty();
        assertThat(a.iaNas()).singleElement().satisfies(ia -> assertThat(ia.addresses()).hasSize(1));
    }

    @Test
    void aRequestToUsIsRepliedAndOneToAnotherServerIsNot() throws IOException {
        Dhcpv6Message toDnsmasq = golden("ovmf-pxe-request");
        assertThat(responder(true).answer(toDnsmasq)).as("names dnsmasq's DUID").isEmpty();
        Dhcpv6Message r = responder(true).answer(withServer(toDnsmasq, DUID)).orElseThrow();
        assertThat(r.type()).isEqualTo(Dhcpv6MessageType.REPLY);
        assertThat(r.bootfileUrl()).contains("tftp://[fd00:77::1]/ipxe.efi");
        assertThat(r.iaNas().get(0).addresses()).extracting(Dhcpv6Message.IaAddress::address).containsExactly(LEASED);
        assertThat(responder(true).answer(withServer(toDnsmasq, null))).as("a Request names a server").isEmpty();
        assertThat(responder(true).answer(withServer(golden("ovmf-pxe-solicit"), HexFormat.of().parseHex("0003000100")))).isEmpty();
    }

    @Test
    void proxyStyleAnswersCarryTheBootFileAndNoAddress() throws IOException {
        Dhcpv6Message a = responder(false).answer(golden("ovmf-pxe-solicit")).orElseThrow();
        assertThat(a.bootfileUrl()).contains("tftp://[fd00:77::1]/ipxe.efi");
        assertThat(a.iaNas()).singleElement().satisfies(ia -> {
            assertThat(ia.addresses()).isEmpty();
            assertThat(ia.t1()).isZero();
        });
        byte[] ia = a.first(Dhcpv6Option.IA_NA).orElseThrow();
        assertThat(ia[12 + 1]).as("sub-option status code").isEqualTo((byte) Dhcpv6Option.STATUS_CODE);
        assertThat(ia[16 + 1]).as("NoAddrsAvail").isEqualTo((byte) 2);
        assertThat(asked).as("no lease asked for").isEmpty();
    }

    @Test
    void httpBootFirmwareGetsTheHttpLoaderAndHttpClientEchoedAndIpxeItsScript() throws IOException {
        Dhcpv6Message pxe = golden("ovmf-pxe-solicit");
        List<Dhcpv6Option> o = new ArrayList<>();
        for (Dhcpv6Option x : pxe.options()) {
            if (x.code() == Dhcpv6Option.VENDOR_CLASS) {
                o.add(new Dhcpv6Option(Dhcpv6Option.VENDOR_CLASS, Dhcpv6Responder.vendorClass("HTTPClient:Arch:00016:UNDI:003001")));
            } else if (x.code() == Dhcpv6Option.CLIENT_ARCH_TYPE) {
                o.add(new Dhcpv6Option(Dhcpv6Option.CLIENT_ARCH_TYPE, new byte[]{0, 16}));
            } else {
                o.add(x);
            }
        }
        Dhcpv6Message a = responder(true).answer(new Dhcpv6Message(Dhcpv6MessageType.SOLICIT, 0x123456, o)).orElseThrow();
        assertThat(a.bootfileUrl()).contains("http://[fd00:77::1]:8081/boot-files/ipxe.efi");
        assertThat(a.vendorClasses()).singleElement().satisfies(v -> {
            assertThat(v.enterprise()).isEqualTo(343);
            assertThat(v.data()).containsExactly("HTTPClient");
        });
        List<Dhcpv6Option> ipxe = new ArrayList<>(golden("dhclient-solicit").options());
        ipxe.add(new Dhcpv6Option(Dhcpv6Option.USER_CLASS, new byte[]{0, 4, 'i', 'P', 'X', 'E'}));
        assertThat(responder(true).answer(new Dhcpv6Message(Dhcpv6MessageType.SOLICIT, 1, ipxe)).orElseThrow().bootfileUrl())
                .contains("http://[fd00:77::1]:8081/boot.ipxe");
    }

    @Test
    void withoutAClientIdentifierOrForOtherMessageTypesThereIsNoAnswer() throws IOException {
        Dhcpv6Message s = golden("ovmf-pxe-solicit");
        Dhcpv6Message anon = new Dhcpv6Message(s.type(), s.transactionId(),
                s.options().stream().filter(x -> x.code() != Dhcpv6Option.CLIENT_ID).toList());
        assertThat(responder(true).answer(anon)).isEmpty();
        assertThat(responder(true).answer(golden("dnsmasq-advertise"))).as("a server's message").isEmpty();
        Dhcpv6Message release = new Dhcpv6Message(Dhcpv6MessageType.RELEASE, 7, withServer(s, DUID).options());
        Dhcpv6Message r = responder(true).answer(release).orElseThrow();
        assertThat(r.type()).isEqualTo(Dhcpv6MessageType.REPLY);
        assertThat(r.first(Dhcpv6Option.STATUS_CODE)).isPresent();
        assertThat(r.iaNas()).isEmpty();
    }
}
