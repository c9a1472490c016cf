package io.chainboot.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The initiator-side builders (used by the warm-up client) rebuild, byte for byte, PDUs that real
 * initiators sent (golden/: libiscsi's login and INQUIRY, QEMU's Data-Out and Logout, a TEST UNIT READY
 * with a CRC32C header digest), from the field values tshark read in those bytes.
 */
class InitiatorPdusTest {

    @ParameterizedTest
    @ValueSource(strings = {"libiscsi-login", "qemu-libiscsi-login", "qemu-crc32c-login", "libiscsi-inquiry",
        "qemu-crc32c-test-unit-ready", "qemu-libiscsi-sync-cache10", "qemu-libiscsi-data-out", "qemu-libiscsi-logout"})
    void rebuildsTheCapturedRequestFromTsharksFields(String name) throws Exception {
        byte[] wire = resource(name + ".bin");
        Map<String, String> f = TargetPdusTest.fields(new String(resource(name + ".tshark.txt"), StandardCharsets.UTF_8));
        boolean hd = f.containsKey("HeaderDigest");
        int itt = (int) hex(f.get("InitiatorTaskTag"));
        int dataLength = (int) num(f.get("DataSegmentLength"));
        int at = 48 + (hd ? 4 : 0);
        ByteBuffer data = ByteBuffer.wrap(Arrays.copyOfRange(wire, at, at + dataLength));
        int flags = f.containsKey("Flags") ? (int) hex(f.get("Flags")) : 0; // SCSI Command, Data-Out
        int expStatSn = (int) num(f.get("ExpStatSN"));
        Pdu p = switch ((int) code(f.get("Opcode"))) {
            case 0x03 -> {
                byte[] isid = java.util.HexFormat.of().parseHex(f.get("ISID"));
                yield InitiatorPdus.loginRequest(f.get("T").startsWith("Transit"), (int) code(f.get("CSG")),
                        (int) code(f.get("NSG")), isid, itt,
                        (int) num(f.get("CmdSN")), expStatSn, data);
            }
            case 0x01 -> InitiatorPdus.scsiCommand(0, itt, Arrays.copyOfRange(wire, 32, 48),
                    (int) num(f.get("ExpectedDataTransferLength")), (flags & 0x20) != 0, (int) num(f.get("CmdSN")), expStatSn,
                    data);
            case 0x05 -> {
                Pdu r2t = TargetPdus.r2t(0, itt, (int) hex(f.get("TargetTransferTag")), 0, 0, 0);
                yield InitiatorPdus.dataOut(r2t, (flags & 0x80) != 0, expStatSn, (int) num(f.get("DataSN")),
                        (int) num(f.get("BufferOffset")), data);
            }
            case 0x06 -> InitiatorPdus.logoutRequest(itt, (int) num(f.get("CmdSN")), expStatSn);
            default -> throw new AssertionError(f.get("Opcode"));
        };
        assertThat(PduCodec.encode(p, hd, false).array()).isEqualTo(wire);
    }

    @Test
    void theOtherRequestsPutTheirFieldsWhereRfc7143Says() {
        Pdu nop = InitiatorPdus.nopOut(7, 10, 3, ByteBuffer.wrap(new byte[] {1, 2}));
        assertThat(nop.opcode()).isEqualTo(Opcode.NOP_OUT);
        assertThat(nop.immediate()).isTrue();
        assertThat(nop.itt()).isEqualTo(7);
        assertThat(nop.targetTransferTag()).isEqualTo(Pdu.RESERVED_TAG);
        assertThat(nop.cmdSn()).isEqualTo(10);
        assertThat(nop.expStatSn()).isEqualTo(3);
        Pdu text = InitiatorPdus.textRequest(8, 11, 4, ByteBuffer.wrap("SendTargets=All\0".getBytes(StandardCharsets.UTF_8)));
        Back decoded = decode(text);
        assertThat(decoded.pdu.opcode()).isEqualTo(Opcode.TEXT_REQUEST);
        assertThat(decoded.pdu.finalBit()).isTrue();
        assertThat(decoded.pdu.immediate()).isFalse();
        assertThat(decoded.pdu.cmdSn()).isEqualTo(11);
        assertThat(decoded.pdu.dataLength()).isEqualTo(16);
        Pdu read = InitiatorPdus.scsiCommand(1L << 48, 9, new byte[] {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0}, 512, false, 12, 5,
                ByteBuffer.allocate(0));
        assertThat(read.readBit()).isTrue();
        assertThat(read.writeBit()).isFalse();
        assertThat(read.lun()).isEqualTo(1L << 48);
        assertThat(read.cdb()).startsWith(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0);
        assertThatThrownBy(() -> InitiatorPdus.scsiCommand(0, 1, new byte[17], 0, false, 0, 0, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> InitiatorPdus.loginRequest(true, 0, 1, new byte[5], 0, 0, 0, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private record Back(Pdu pdu) {}

    private static Back decode(Pdu p) {
        ByteBuffer wire = PduCodec.encode(p, false, false);
        byte[] bhs = Arrays.copyOfRange(wire.array(), 0, 48);
        int len = PduCodec.dataSegmentLength(bhs);
        var d = PduCodec.assemble(bhs, new byte[0], null, ByteBuffer.wrap(wire.array(), 48, len).slice(), null);
        assertThat(d).isInstanceOf(io.chainboot.events.Decoded.Valid.class);
        return new Back(((io.chainboot.events.Decoded.Valid<Pdu>) d).value());
    }

    private static long code(String v) {
        Matcher m = Pattern.compile("\\(0x([0-9a-f]+)\\)").matcher(v);
        assertThat(m.find()).as(v).isTrue();
        return Long.parseLong(m.group(1), 16);
    }

    private static long hex(String v) {
        return Long.parseLong(v.substring(2).split("[ ,]")[0], 16);
    }

    private static long num(String v) {
        return Long.parseLong(v.split(" ")[0]);
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = InitiatorPdusTest.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
