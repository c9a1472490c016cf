package io.chainboot.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The typed builders rebuild, byte for byte, the answers iscsi-service sent to iPXE and QEMU's
 * initiator (golden/chainboot-to-*, captured before the builders existed), from the field values tshark
 * read in those bytes — so the builders put every field where RFC 7143 (and tshark) says it is.
 */
class TargetPdusTest {
    private static final Pattern FIELD = Pattern.compile("^\\s+(?:[.01 ]+ = )?([A-Za-z0-9_]+): (.*)$");

    @ParameterizedTest
    @ValueSource(strings = {"chainboot-to-ipxe-check-condition", "chainboot-to-ipxe-good", "chainboot-to-ipxe-data-in-read10",
        "chainboot-to-qemu-r2t", "chainboot-to-qemu-write-response", "chainboot-to-qemu-logout-response",
        "chainboot-to-qemu-crc32c-check-condition"})
    void rebuildsTheCapturedAnswerFromTsharksFields(String name) throws Exception {
        byte[] wire = resource(name + ".bin");
        Map<String, String> f = fields(new String(resource(name + ".tshark.txt"), StandardCharsets.UTF_8));
        boolean hd = f.containsKey("HeaderDigest");
        int itt = (int) hex(f.get("InitiatorTaskTag"));
        int dataLength = (int) num(f.get("DataSegmentLength"));
        ByteBuffer data = ByteBuffer.wrap(Arrays.copyOfRange(wire, 48 + (hd ? 4 : 0), 48 + (hd ? 4 : 0) + dataLength));
        Pdu p = switch ((int) code(f.get("Opcode"))) {
            case 0x21 -> {
                int flags = (int) hex(f.getOrDefault("Flags", "0x80"));
                byte[] sense = f.containsKey("SenseLength")
                        ? Arrays.copyOfRange(data.array(), 2, 2 + (int) num(f.get("SenseLength"))) : null;
                yield TargetPdus.scsiResponse(itt, (int) code(f.get("Status")), sense, flags & 0x06,
                        (int) num(f.get("ResidualCount")), (int) hex(f.get("ExpDataSN")));
            }
            case 0x25 -> TargetPdus.dataInWithStatus(itt, (int) num(f.get("DataSN")), (int) num(f.get("BufferOffset")), data,
                    (int) code(f.get("Status")), (int) hex(f.get("Flags")) & 0x06, (int) num(f.get("ResidualCount")));
            case 0x31 -> TargetPdus.r2t(hex(f.get("LUN")), itt, (int) hex(f.get("TargetTransferTag")),
                    (int) num(f.get("R2TSN")), (int) num(f.get("BufferOffset")), (int) num(f.get("DesiredDataLength")));
            case 0x26 -> TargetPdus.logoutResponse(itt, LogoutResponse.values()[(int) code(f.get("Response"))]);
            default -> throw new AssertionError(f.get("Opcode"));
        };
        TargetPdus.setSequenceNumbers(p, (int) num(f.get("StatSN")), (int) num(f.get("ExpCmdSN")), (int) num(f.get("MaxCmdSN")));
        assertThat(PduCodec.encode(p, hd, false).array()).isEqualTo(wire);
    }

    @Test
    void wireCodeEnumsOwnTheirNumbers() {
        assertThat(TmfFunction.of(5)).contains(TmfFunction.LOGICAL_UNIT_RESET);
        assertThat(TmfFunction.of(9)).isEmpty();
        assertThat(TmfResponse.FUNCTION_REJECTED.code()).isEqualTo(255);
        assertThat(RejectReason.PROTOCOL_ERROR.code()).isEqualTo(4);
        assertThat(LogoutResponse.forReason(0)).as("close the session").isEqualTo(LogoutResponse.CLOSED);
        assertThat(LogoutResponse.forReason(1)).as("close the connection").isEqualTo(LogoutResponse.CLOSED);
        assertThat(LogoutResponse.forReason(2)).as("recovery needs ERL 2").isEqualTo(LogoutResponse.RECOVERY_NOT_SUPPORTED);
        Pdu reject = TargetPdus.reject(new byte[48], RejectReason.INVALID_PDU_FIELD);
        assertThat(reject.bhs()[0] & 0x3F).isEqualTo(0x3F);
        assertThat(reject.bhs()[2]).isEqualTo((byte) 0x09);
        assertThat(reject.itt()).isEqualTo(Pdu.RESERVED_TAG);
        assertThat(reject.dataLength()).isEqualTo(48);
        assertThat(TargetPdus.isDataInWithoutStatus(TargetPdus.dataIn(1, 0, 0, ByteBuffer.allocate(8), true))).isTrue();
    }

    static Map<String, String> fields(String tshark) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String line : tshark.split("\n")) {
            Matcher m = FIELD.matcher(line);
            if (m.find()) {
                f.putIfAbsent(m.group(1), m.group(2));
            }
            if (line.startsWith("Flags: ")) {
                f.putIfAbsent("Flags", line.substring(7));
            }
        }
        return f;
    }

    /** "Check Condition (0x02)" -> 2 */
    private static long code(String v) {
        Matcher m = Pattern.compile("\\(0x([0-9a-f]+)\\)").matcher(v);
        assertThat(m.find()).as(v).isTrue();
        return Long.parseLong(m.group(1), 16);
    }

    /** "0x18ae0002" -> value */
    private static long hex(String v) {
        return Long.parseLong(v.substring(2).split("[ ,]")[0], 16);
    }

    /** "13 (0x0000000d)" -> 13 */
    private static long num(String v) {
        return Long.parseLong(v.split(" ")[0]);
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = TargetPdusTest.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
