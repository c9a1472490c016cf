package io.chainboot.dhcp.ndp;

import io.chainboot.dhcp.ndp.NdpMessage.RouterAdvertisement;
import io.chainboot.dhcp.ndp.NdpMessage.RouterSolicitation;
import io.chainboot.events.Decoded;
import io.chainboot.events.MacAddress;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class NdpCodecTest {
    static final HexFormat HEX = HexFormat.of();
    /** iPXE's router solicitation (ndp_tx_router_solicitation): type 133, reserved, source link-layer option. */
    static final String IPXE_RS = "85000000" + "00000000" + "0101525400123456";

    @Test
    void decodesARouterSolicitationWithItsLinkLayerAddress() {
        byte[] b = HEX.parseHex(IPXE_RS);
        Decoded<NdpMessage> d = NdpCodec.decode(b, 0, b.length, 255, false);
        assertThat(d).isEqualTo(Decoded.valid(new RouterSolicitation(Optional.of(MacAddress.parse("52:54:00:12:34:56")))));
    }

    @Test
    void rejectsWhatRfc4861Section6Discards() {
        byte[] rs = HEX.parseHex(IPXE_RS);
        assertThat(reason(rs, 64, false)).contains("hop limit 64");
        assertThat(reason(rs, 255, true)).contains("unspecified address");
        byte[] code = rs.clone();
        code[1] = 1;
        assertThat(reason(code, 255, false)).contains("code 1");
        byte[] zeroOption = rs.clone();
        zeroOption[9] = 0;
        assertThat(reason(zeroOption, 255, false)).contains("length 0");
        byte[] truncated = HEX.parseHex("85000000000000000102525400");
        assertThat(reason(truncated, 255, false)).contains("past the end");
        assertThat(reason(HEX.parseHex("850000"), 255, false)).contains("shorter than 8");
        assertThat(reason(HEX.parseHex("8700000000000000"), 255, false)).contains("type 135");
        assertThat(reason(HEX.parseHex("8600000040000000"), 255, false)).contains("shorter than 16");
    }

    @Test
    void encodesTheDefaultAdvertisementByteForByte() {
        RouterAdvertisement ra = RaSettings.of(RaPolicy.ALL, Optional.empty()).advertisement();
        // type 134, code 0, checksum 0 (kernel), hop limit 0, flags 0, lifetime 0, reachable 0, retrans 0
        assertThat(HEX.formatHex(NdpCodec.encode(ra))).isEqualTo("86000000" + "00000000" + "00000000" + "00000000");
    }

    @Test
    void withDhcpv6OnTheManagedAndOtherFlagsAreSetAndStillNoRouteNorPrefix() {
        // flags byte: M = 0x80, O = 0x40 (RFC 4861 §4.2); router lifetime still 0, no option
        assertThat(HEX.formatHex(NdpCodec.encode(RaSettings.of(RaPolicy.ALL, Optional.empty(), true, true).advertisement())))
                .isEqualTo("86000000" + "00c00000" + "00000000" + "00000000");
        assertThat(HEX.formatHex(NdpCodec.encode(RaSettings.of(RaPolicy.ALL, Optional.empty(), false, true).advertisement())))
                .as("proxy style: O only").isEqualTo("86000000" + "00400000" + "00000000" + "00000000");
    }

    @Test
    void encodesAPrefixAsRfc4861Section4_6_2Lays_ItOut() {
        RouterAdvertisement ra = RaSettings.of(RaPolicy.ALL, Optional.of("fd77:1::99/64")).advertisement();
        String hex = HEX.formatHex(NdpCodec.encode(ra));
        assertThat(hex).hasSize(2 * (16 + 32)).endsWith("0304" + "40" + "c0" + "00015180" + "00003840" + "00000000"
                + "fd770001000000000000000000000000");
    }

    @Test
    void anAdvertisementSurvivesEncodeAndDecode() {
        RouterAdvertisement ra = new RouterAdvertisement(64, true, false, 1800, 30_000, 1_000,
                Optional.of(MacAddress.parse("02:00:00:00:00:01")), Optional.of(1500),
                List.of(RaSettings.prefix("2001:db8:1::/48")));
        byte[] b = NdpCodec.encode(ra);
        assertThat(NdpCodec.decode(b, 0, b.length, 255, false)).isEqualTo(Decoded.valid(ra));
    }

    @Test
    void prefixSettingsAreCheckedWithTheKeyNamed() {
        for (String bad : new String[]{"fd77::", "fd77::/x", "fd77::/0", "10.0.0.0/8", "fe80::/64", "ff02::/16"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> RaSettings.prefix(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chainboot.dhcp.router-advertisement-prefix");
        }
        assertThat(RaSettings.prefix("fd77:1:2:3:4::1/64").toString()).isEqualTo("fd77:1:2:3:0:0:0:0/64");
    }

    private static String reason(byte[] b, int hopLimit, boolean unspecified) {
        Decoded<NdpMessage> d = NdpCodec.decode(b, 0, b.length, hopLimit, unspecified);
        assertThat(d).isInstanceOf(Decoded.Invalid.class);
        return ((Decoded.Invalid<NdpMessage>) d).reason();
    }
}
