package io.chainboot.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainboot.events.Decoded;
import io.chainboot.iscsi.login.TextKeys;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PDUs captured from real initiators (src/test/resources/golden, see its README) decode to what tshark's
 * own iSCSI dissector read from the same bytes ({@code NAME.tshark.txt}): every BHS field tshark prints,
 * the login keys, the CDB's operation code, and the header digest where one was negotiated.
 */
class GoldenPdusTest {
    private static final Pattern FIELD = Pattern.compile("^\\s+(?:[.01 ]+ = )?([A-Za-z_]+): (.*)$");
    private static final Pattern HEX = Pattern.compile("\\(0x([0-9a-f]+)\\)$");

    @ParameterizedTest
    @ValueSource(strings = {"ipxe-login-security", "ipxe-login-operational", "ipxe-read-capacity10", "ipxe-read10",
        "libiscsi-login", "libiscsi-inquiry", "qemu-libiscsi-login", "qemu-libiscsi-data-out",
        "qemu-libiscsi-sync-cache10", "qemu-libiscsi-logout", "qemu-crc32c-login", "qemu-crc32c-test-unit-ready",
        "linux-open-iscsi-login", "linux-open-iscsi-report-luns", "linux-open-iscsi-read-capacity16", "linux-open-iscsi-read10"})
    void decodesAsTsharkDissectsIt(String name) throws Exception {
        byte[] wire = resource(name + ".bin");
        String tshark = new String(resource(name + ".tshark.txt"), StandardCharsets.UTF_8);
        boolean headerDigest = tshark.contains("HeaderDigest: 0x");
        Decoded<Pdu> d = PduCodec.decode(ByteBuffer.wrap(wire), headerDigest, false);
        assertThat(d.isValid()).as("%s: %s", name, d).isTrue();
        Pdu p = d.orElseThrow();

        String iscsi = tshark.substring(0, tshark.indexOf("\nFlags:") > 0 ? tshark.indexOf("\nFlags:") : tshark.length());
        Map<String, String> f = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        for (String line : iscsi.split("\n")) {
            Matcher m = FIELD.matcher(line);
            if (m.find()) {
                if (m.group(1).equals("KeyValue")) {
                    keys.add(m.group(2));
                } else {
                    f.putIfAbsent(m.group(1), m.group(2));
                }
            }
        }
        int checked = 0;
        for (Map.Entry<String, String> e : f.entrySet()) {
            String v = e.getValue();
            Long n = number(v);
            switch (e.getKey()) {
                case "Opcode" -> assertThat(p.opcode().code()).as("Opcode").isEqualTo(n.intValue());
                case "I" -> assertThat(p.immediate()).as("I").isEqualTo(v.startsWith("Immediate"));
                case "T" -> assertThat(p.transit()).as("T").isEqualTo(v.startsWith("Transit"));
                case "C" -> assertThat(p.continueBit()).as("C").isEqualTo(!v.startsWith("Text is complete"));
                case "CSG" -> assertThat(p.currentStage()).as("CSG").isEqualTo(n.intValue());
                case "NSG" -> assertThat(p.nextStage()).as("NSG").isEqualTo(n.intValue());
                case "VersionMax" -> assertThat(p.versionMax()).isEqualTo(n.intValue());
                case "VersionMin" -> assertThat(p.versionMin()).isEqualTo(n.intValue());
                case "TotalAHSLength" -> assertThat(p.ahs().length / 4).isEqualTo(n.intValue());
                case "DataSegmentLength" -> assertThat(p.dataLength()).isEqualTo(n.intValue());
                case "ISID" -> assertThat(p.isid()).isEqualTo(v);
                case "TSIH" -> assertThat(p.tsih()).isEqualTo(n.intValue());
                case "CID" -> assertThat(p.cid()).isEqualTo(n.intValue());
                case "InitiatorTaskTag" -> assertThat(p.itt()).as("ITT").isEqualTo(n.intValue());
                case "TargetTransferTag" -> assertThat(p.targetTransferTag()).isEqualTo(n.intValue());
                case "CmdSN" -> assertThat(Integer.toUnsignedLong(p.cmdSn())).as("CmdSN").isEqualTo(n);
                case "ExpStatSN" -> assertThat(Integer.toUnsignedLong(p.expStatSn())).as("ExpStatSN").isEqualTo(n);
                case "ExpectedDataTransferLength" -> assertThat(p.expectedDataTransferLength()).isEqualTo(n.intValue());
                case "DataSN" -> assertThat(p.dataSn()).isEqualTo(n.intValue());
                case "BufferOffset" -> assertThat(p.bufferOffset()).isEqualTo(n.intValue());
                case "Reason" -> assertThat(p.function()).as("logout reason").isEqualTo(n.intValue());
                case "HeaderDigest" -> assertThat(v).endsWith("(Good CRC32)"); // and decode checked it
                case "LUN" -> assertThat(p.lun()).isEqualTo(n);
                default -> {
                    continue; // ISID_t/_a/_b/_c/_d: parts of the ISID checked above
                }
            }
            checked++;
        }
        assertThat(checked).as("fields compared with tshark").isGreaterThanOrEqualTo(6);
        if (!keys.isEmpty()) {
            Map<String, String> ours = TextKeys.parse(p.data()).orElseThrow();
            List<String> pairs = ours.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
            assertThat(pairs).isEqualTo(keys);
        }
        Matcher scsiOp = Pattern.compile("\n    Opcode: .* \\(0x([0-9a-f]{2})\\)\n").matcher(tshark);
        if (p.opcode() == Opcode.SCSI_COMMAND) {
            assertThat(scsiOp.find()).as("tshark's CDB opcode").isTrue();
            assertThat(p.cdb()[0] & 0xFF).isEqualTo(Integer.parseInt(scsiOp.group(1), 16));
            String flags = tshark.substring(tshark.indexOf("\nFlags:") + 1).split("\n")[0]; // "Flags: 0xc1, F, R, Attr: Simple"
            assertThat(p.readBit()).as("R").isEqualTo(flags.contains(", R"));
            assertThat(p.writeBit()).as("W").isEqualTo(flags.contains(", W"));
            assertThat(p.finalBit()).as("F").isEqualTo(flags.contains(", F"));
        }
        // re-encoded it is the same bytes (the lengths and the digest are recomputed by the encoder)
        assertThat(PduCodec.encode(p, headerDigest, false).array()).isEqualTo(wire);
        if (headerDigest) {
            byte[] bad = wire.clone();
            bad[24] ^= 0x01; // CmdSN changed in flight
            assertThat(PduCodec.decode(ByteBuffer.wrap(bad), true, false).isValid()).isFalse();
        }
    }

    private static Long number(String v) {
        Matcher h = HEX.matcher(v);
        if (h.find()) {
            return Long.parseLong(h.group(1), 16);
        }
        if (v.startsWith("0x")) {
            return Long.parseLong(v.substring(2).split(" ")[0], 16);
        }
        String first = v.split(" ")[0];
        return first.matches("\\d+") ? Long.parseLong(first) : null;
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = GoldenPdusTest.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
