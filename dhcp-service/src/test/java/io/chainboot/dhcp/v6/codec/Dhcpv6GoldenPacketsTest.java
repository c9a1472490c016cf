package io.chainboot.dhcp.v6.codec;

import io.chainboot.events.Decoded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden bytes: two whole DHCPv6 exchanges captured with tshark on a namespace bridge, stored as the
 * UDP payload in hex beside tshark's own dissection ({@code tshark -O dhcpv6}): ISC dhclient 4.4
 * ({@code dhclient -6}) and OVMF 2022.11's PXEv6 client (Solicit with option 16
 * {@code PXEClient:Arch:00007…}, 61, 62, ORO asking 59) against dnsmasq 2.89 as the server (Advertise
 * and Reply with IA_NA, and for OVMF option 59 {@code tftp://[fd00:77::1]/ipxe.efi}). Our decoder must
 * agree with Wireshark on every field it reports, and re-encoding must give the captured bytes back.
 */
class Dhcpv6GoldenPacketsTest {
    static final List<String> ALL = List.of("dhclient-solicit", "dnsmasq-advertise", "dhclient-request", "dnsmasq-reply",
            "ovmf-pxe-solicit", "dnsmasq-pxe-advertise", "ovmf-pxe-request", "dnsmasq-pxe-reply");

    static String resource(String name) throws IOException {
        try (InputStream in = Dhcpv6GoldenPacketsTest.class.getResourceAsStream("/golden-v6/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static byte[] bytes(String name) throws IOException {
        return HexFormat.of().parseHex(resource(name + ".hex").strip());
    }

    static Dhcpv6Message decode(String name) throws IOException {
        return Dhcpv6Codec.decode(bytes(name)).orElseThrow();
    }

    static String field(String dump, String regex) {
        Matcher m = Pattern.compile(regex).matcher(dump);
        assertThat(m.find()).as(regex).isTrue();
        return m.group(1);
    }

    static List<String> fields(String dump, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(dump);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** RFC 5952 §4 text (as tshark prints): groups without leading zeros, the longest run of 2+ zero groups as "::". */
    static String rfc5952(java.net.Inet6Address a) {
        byte[] b = a.getAddress();
        String[] g = new String[8];
        for (int i = 0; i < 8; i++) {
            g[i] = Integer.toHexString(((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF));
        }
        int best = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && g[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen) {
                best = i;
                bestLen = j - i;
            }
        }
        if (best < 0) {
            return String.join(":", g);
        }
        return String.join(":", java.util.Arrays.copyOfRange(g, 0, best)) + "::"
                + String.join(":", java.util.Arrays.copyOfRange(g, best + bestLen, 8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dhclient-solicit", "dnsmasq-advertise", "dhclient-request", "dnsmasq-reply",
            "ovmf-pxe-solicit", "dnsmasq-pxe-advertise", "ovmf-pxe-request", "dnsmasq-pxe-reply"})
    void decoderAgreesWithWiresharkAndReEncodesTheSameBytes(String name) throws IOException {
        String dump = resource(name + ".tshark.txt");
        Dhcpv6Message m = decode(name);
        assertThat(m.type().code()).isEqualTo(Integer.parseInt(field(dump, "Message type: .* \\((\\d+)\\)")));
        assertThat(Integer.toHexString(m.transactionId())).isEqualTo(field(dump, "Transaction ID: 0x([0-9a-f]+)"));
        // top-level options, in order (sub-options are indented deeper in the dump)
        List<Integer> codes = fields(dump, "(?m)^        Option: .* \\((\\d+)\\)$").stream().map(Integer::parseInt).toList();
        assertThat(m.options()).extracting(Dhcpv6Option::code).containsExactlyElementsOf(codes);
        assertThat(HexFormat.of().formatHex(m.clientId().orElseThrow())).isEqualTo(field(dump, "DUID: ([0-9a-f]+)"));
        List<String> iaids = fields(dump, "IAID: ([0-9a-f]+)");
        assertThat(m.iaNas()).extracting(ia -> String.format("%08x", ia.iaid())).containsExactlyElementsOf(iaids);
        List<String> addresses = fields(dump, "IPv6 address: (\\S+)");
        assertThat(m.iaNas().stream().flatMap(ia -> ia.addresses().stream()).map(a -> rfc5952(a.address())).toList())
                .containsExactlyElementsOf(addresses);
        for (String t : fields(dump, "Preferred lifetime: (\\d+)")) {
            assertThat(m.iaNas().stream().flatMap(ia -> ia.addresses().stream()).map(a -> Long.toString(a.preferredLifetime())))
                    .contains(t);
        }
        List<Integer> requested = fields(dump, "Requested Option code: .* \\((\\d+)\\)").stream().map(Integer::parseInt).toList();
        assertThat(m.requestedOptions()).containsExactlyElementsOf(requested);
        List<String> vendor = fields(dump, "vendor-class-data: (\\S+)");
        assertThat(m.vendorClasses().stream().flatMap(v -> v.data().stream()).toList()).containsExactlyElementsOf(vendor);
        if (!vendor.isEmpty()) {
            assertThat(m.vendorClasses().get(0).enterprise()).isEqualTo(Long.parseLong(field(dump, "Enterprise ID: .* \\((\\d+)\\)")));
        }
        assertThat(Dhcpv6Codec.encode(m)).as("re-encoded").isEqualTo(bytes(name));
    }

    @Test
    void ovmfsPxeSolicitSaysX64UefiAndAsksForTheBootFileUrl() throws IOException {
        Dhcpv6Message m = decode("ovmf-pxe-solicit");
        assertThat(m.type()).isEqualTo(Dhcpv6MessageType.SOLICIT);
        // tshark 4.0 prints only the length of option 61: the value is read from the bytes (00 07 = x64 UEFI)
        assertThat(m.clientArchitectures()).containsExactly(7);
        assertThat(m.requestedOptions()).contains(Dhcpv6Option.BOOTFILE_URL);
        assertThat(m.vendorClasses()).singleElement().satisfies(v -> {
            assertThat(v.enterprise()).isEqualTo(343);
            assertThat(v.data()).containsExactly("PXEClient:Arch:00007:UNDI:003000");
        });
        assertThat(m.first(Dhcpv6Option.NII)).hasValueSatisfying(nii -> assertThat(nii).containsExactly(1, 3, 0));
    }

    @Test
    void dnsmasqsAdvertiseToOvmfCarriesTheBootFileUrlAndAnAddress() throws IOException {
        Dhcpv6Message m = decode("dnsmasq-pxe-advertise");
        assertThat(m.type()).isEqualTo(Dhcpv6MessageType.ADVERTISE);
        assertThat(m.bootfileUrl()).contains("tftp://[fd00:77::1]/ipxe.efi");
        assertThat(m.iaNas()).singleElement().satisfies(ia -> {
            assertThat(ia.t1()).isEqualTo(1800);
            assertThat(ia.addresses()).singleElement().satisfies(a -> assertThat(a.validLifetime()).isEqualTo(3600));
        });
        assertThat(m.serverId()).isPresent();
    }

    @Test
    void truncatedRelayedAndUnknownMessagesAreInvalidValues() throws IOException {
        byte[] solicit = bytes("ovmf-pxe-solicit");
        for (int cut = 0; cut < solicit.length; cut++) {
            Decoded<Dhcpv6Message> d = Dhcpv6Codec.decode(solicit, 0, cut);
            if (d.isValid()) {
                // a cut exactly between two options is a shorter, well-formed message
                assertThat(Dhcpv6Codec.encode(d.orElseThrow())).hasSize(cut);
            }
        }
        assertThat(Dhcpv6Codec.decode(new byte[]{12, 0, 0, 0}).isValid()).isFalse();
        assertThat(Dhcpv6Codec.decode(new byte[]{99, 0, 0, 0}).isValid()).isFalse();
        assertThat(Dhcpv6Codec.decode(new byte[]{1, 0, 0, 0, 0, 1, 0, 9, 1}).isValid()).as("option past the end").isFalse();
        assertThat(ALL).hasSize(8);
    }
}
