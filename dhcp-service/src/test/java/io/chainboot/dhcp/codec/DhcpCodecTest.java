package io.chainboot.dhcp.codec;

import io.chainboot.dhcp.Requests;
import io.chainboot.events.Decoded;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DhcpCodecTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");

    static String invalid(byte[] b) {
        Decoded<DhcpPacket> d = DhcpCodec.decode(b);
        assertThat(d).isInstanceOf(Decoded.Invalid.class);
        return ((Decoded.Invalid<DhcpPacket>) d).reason();
    }

    /** A 240-byte header with the cookie and {@code options} after it. */
    static byte[] raw(int... options) {
        byte[] b = new byte[240 + options.length];
        b[0] = 1;
        b[1] = 1;
        b[2] = 6;
        System.arraycopy(MAC.toBytes(), 0, b, 28, 6);
        b[236] = 99;
        b[237] = (byte) 130;
        b[238] = 83;
        b[239] = 99;
        for (int i = 0; i < options.length; i++) {
            b[240 + i] = (byte) options[i];
        }
        return b;
    }

    @Test
    void roundTripKeepsEveryFieldAndPadsToTheBootpMinimum() {
        DhcpPacket p = Requests.request(MAC, MessageType.DISCOVER, Requests.ipxe(7));
        byte[] bytes = DhcpCodec.encode(p);
        assertThat(DhcpCodec.encode(Requests.request(MAC, MessageType.DISCOVER, Requests.none())))
                .hasSize(DhcpCodec.MIN_BOOTP_LENGTH);
        DhcpPacket back = DhcpCodec.decode(bytes).orElseThrow();
        assertThat(back).isEqualTo(p);
        assertThat(back.messageType()).contains(MessageType.DISCOVER);
        assertThat(back.mac()).contains(MAC);
        assertThat(back.clientArch()).contains(7);
        assertThat(back.clientUuid()).contains("67452301-ab89-efcd-0123-456789abcdef");
        assertThat(back.userClasses()).containsExactly("iPXE");
        assertThat(SubOptions.decode(back.options().bytes(OptionCode.IPXE_ENCAP).orElseThrow()).orElseThrow())
                .containsKeys(0xb1, 0x13);
    }

    @Test
    void userClassInRfc3004FormIsAListAndIpxesBareStringIsOneClass() {
        assertThat(UserClass.decode(new byte[] {4, 'i', 'P', 'X', 'E', 2, 'o', 'k'})).containsExactly("iPXE", "ok");
        assertThat(UserClass.decode("iPXE".getBytes())).containsExactly("iPXE");
        assertThat(UserClass.decode(new byte[] {9, 'a'})).containsExactly("\ta");
    }

    @Test
    void optionsContinueInFileThenSnameWhenOverloaded() {
        byte[] b = raw(53, 1, 1, 52, 1, 3, 255);
        // RFC 2131 §4.1: file (offset 108) is read before sname (offset 44)
        byte[] inFile = {60, 9, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', 12, 2, 'h', '1', (byte) 255};
        byte[] inSname = {12, 2, 'h', '2', 61, 7, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56, (byte) 255};
        System.arraycopy(inFile, 0, b, 108, inFile.length);
        System.arraycopy(inSname, 0, b, 44, inSname.length);
        DhcpPacket p = DhcpCodec.decode(b).orElseThrow();
        assertThat(p.vendorClass()).contains("PXEClient");
        assertThat(p.hostname()).contains("h1h2"); // RFC 3396: instances of one option are concatenated
        assertThat(p.options().has(OptionCode.CLIENT_ID)).isTrue();
        assertThat(p.options().has(OptionCode.OVERLOAD)).isFalse();
        assertThat(p.file()).isEmpty();
        assertThat(p.sname()).isEmpty();
    }

    @Test
    void overloadInsideAnOverloadedFieldIsALoopAndRejected() {
        byte[] b = raw(53, 1, 1, 52, 1, 1, 255);
        byte[] inFile = {52, 1, 2, (byte) 255};
        System.arraycopy(inFile, 0, b, 108, inFile.length);
        assertThat(invalid(b)).contains("loop");
        assertThat(invalid(raw(53, 1, 1, 52, 1, 1, 52, 1, 2, 255))).contains("twice");
        assertThat(invalid(raw(53, 1, 1, 52, 1, 7, 255))).contains("overload");
    }

    @Test
    void malformedInputIsAValueNotAnException() {
        assertThat(invalid(new byte[0])).contains("truncated");
        assertThat(invalid(Arrays.copyOf(raw(), 239))).contains("truncated");
        byte[] noCookie = raw(53, 1, 1, 255);
        noCookie[236] = 0;
        assertThat(invalid(noCookie)).contains("cookie");
        assertThat(invalid(raw(53, 1, 1, 12, 40, 'x'))).contains("runs past");
        assertThat(invalid(raw(53, 1, 1, 12))).contains("no length");
        byte[] badOp = raw(53, 1, 1, 255);
        badOp[0] = 9;
        assertThat(invalid(badOp)).contains("op");
        byte[] badHlen = raw(53, 1, 1, 255);
        badHlen[2] = 17;
        assertThat(invalid(badHlen)).contains("hlen");
        int[] flood = new int[2 * (DhcpCodec.MAX_OPTION_INSTANCES + 1)];
        for (int i = 0; i < flood.length; i += 2) {
            flood[i] = 200;
            flood[i + 1] = 0;
        }
        assertThat(invalid(raw(flood))).contains("flood");
    }

    @Test
    void aMissingEndOptionIsTolerated() {
        assertThat(DhcpCodec.decode(raw(53, 1, 3)).orElseThrow().messageType()).contains(MessageType.REQUEST);
    }

    @Test
    void optionsOver255BytesAreSplitAndJoinedAgain() {
        byte[] big = new byte[600];
        Arrays.fill(big, (byte) 'a');
        DhcpPacket p = Requests.request(MAC, MessageType.DISCOVER, o -> o.put(OptionCode.VENDOR_SPECIFIC, big));
        byte[] bytes = DhcpCodec.encode(p, 1472);
        DhcpPacket back = DhcpCodec.decode(bytes).orElseThrow();
        assertThat(back.options().bytes(OptionCode.VENDOR_SPECIFIC).orElseThrow()).isEqualTo(big);
    }

    @Test
    void optionsBeyondTheClientsLimitOverflowIntoFileAndSname() {
        byte[] mid = new byte[250];
        DhcpPacket p = Requests.request(MAC, MessageType.DISCOVER, o -> o.put(OptionCode.VENDOR_SPECIFIC, mid)
                .put(150, new byte[120]).put(151, new byte[50]));
        byte[] bytes = DhcpCodec.encode(p, DhcpCodec.DEFAULT_MAX_DHCP_LENGTH);
        assertThat(bytes.length).isLessThanOrEqualTo(DhcpCodec.DEFAULT_MAX_DHCP_LENGTH);
        assertThat(bytes[240]).isEqualTo((byte) OptionCode.OVERLOAD);
        assertThat(DhcpCodec.decode(bytes).orElseThrow().options()).isEqualTo(p.options());
    }

    @Test
    void repliesCopyTheTransactionAndEchoRelayInformationLast() {
        byte[] relay = {1, 4, 'p', 'o', 'r', 't'};
        DhcpPacket req = Requests.request(MAC, MessageType.DISCOVER, Ipv4Address.ANY, Ipv4Address.parse("10.1.0.1"),
                o -> o.put(OptionCode.RELAY_AGENT_INFO, relay));
        DhcpPacket reply = DhcpPacket.replyTo(req, Ipv4Address.ANY, Ipv4Address.parse("10.1.0.50"), Ipv4Address.ANY, "", "",
                DhcpOptions.builder().u8(OptionCode.MESSAGE_TYPE, 2).ip(OptionCode.SERVER_ID, Ipv4Address.parse("10.0.0.1")).build());
        assertThat(reply.xid()).isEqualTo(req.xid());
        assertThat(reply.giaddr()).isEqualTo(req.giaddr());
        assertThat(reply.op()).isEqualTo(DhcpPacket.BOOTREPLY);
        assertThat(List.copyOf(reply.options().asMap().keySet())).containsExactly(53, 54, 82);
        assertThat(reply.options().bytes(82).orElseThrow()).isEqualTo(relay);
    }

    @Test
    void messageTypesOwnTheirNumbers() {
        for (MessageType t : MessageType.values()) {
            assertThat(MessageType.of(t.code())).contains(t);
        }
        assertThat(MessageType.of(0)).isEmpty();
        assertThat(MessageType.of(9)).isEmpty();
    }
}
