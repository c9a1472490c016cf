package io.chainboot.iscsi.pdu;

import io.chainboot.events.Decoded;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class PduCodecTest {

    /** RFC 3720 Appendix B.4: CRC32C of 32 bytes of zeroes is aa 36 91 8a on the wire. */
    @Test
    void crc32cMatchesTheRfcTestVectorAndIsSentLittleEndian() {
        int crc = PduCodec.crc32c(new byte[32], null);
        assertThat(crc).isEqualTo(0x8a9136aa);
        assertThat(PduCodec.digestValue(HexFormat.of().parseHex("aa36918a"))).isEqualTo(0x8a9136aa);
    }

    /** The initiator side (warm-up client, test initiators) decodes target PDUs with the same codec, and each side refuses the other's opcodes. */
    @Test
    void eachSideAssemblesOnlyThePdusOfTheOther() {
        Pdu dataIn = TargetPdus.dataInWithStatus(7, 0, 0, ByteBuffer.wrap(new byte[5]), 0, TargetPdus.RESIDUAL_UNDERFLOW, 3);
        TargetPdus.setSequenceNumbers(dataIn, 9, 10, 20);
        ByteBuffer wire = PduCodec.encode(dataIn, true, false);
        byte[] bhs = new byte[48];
        wire.get(bhs);
        byte[] digest = new byte[4];
        wire.get(digest);
        ByteBuffer data = wire.slice().limit(5);
        Decoded<Pdu> back = PduCodec.assembleFromTarget(bhs, null, PduCodec.digestValue(digest), data, null);
        assertThat(back.orElseThrow().opcode()).isEqualTo(Opcode.DATA_IN);
        assertThat(back.orElseThrow().itt()).isEqualTo(7);
        assertThat(back.orElseThrow().word24()).isEqualTo(9);
        assertThat(PduCodec.assembleFromTarget(bhs, null, PduCodec.digestValue(digest) ^ 1, data, null))
                .isInstanceOf(Decoded.Invalid.class);
        assertThat(PduCodec.assemble(bhs, null, null, data, null)).isInstanceOf(Decoded.Invalid.class);
        Pdu nopOut = Pdu.newPdu(Opcode.NOP_OUT, true, null).flags(0x80).itt(1).int32(20, Pdu.RESERVED_TAG);
        byte[] out = PduCodec.encode(nopOut, false, false).array();
        assertThat(out[0]).isEqualTo((byte) 0x40);
        assertThat(PduCodec.assembleFromTarget(out, null, null, ByteBuffer.allocate(0), null))
                .isInstanceOf(Decoded.Invalid.class);
        assertThat(PduCodec.assemble(out, null, null, ByteBuffer.allocate(0), null).orElseThrow().immediate()).isTrue();
    }

    @Test
    void loginRequestBytesDecode() {
        // a Login Request as libiscsi sends it: I=1, T=1 CSG=1 NSG=3, ISID 23d000000000, ITT 0, CmdSN 0
        byte[] text = "InitiatorName=iqn.x:i\0TargetName=iqn.x:t\0".getBytes(StandardCharsets.UTF_8);
        Pdu req = new Pdu(Opcode.LOGIN_REQUEST, new byte[48], null, ByteBuffer.wrap(text));
        req.byteAt(0, 0x43).flags(0x87).copy(HexFormat.of().parseHex("00".repeat(8) + "23d000000000"), 8, 14);
        ByteBuffer wire = PduCodec.encode(req, false, false);
        assertThat(wire.remaining()).isEqualTo(48 + PduCodec.padded(text.length));
        Pdu back = PduCodec.decode(wire, false, false).orElseThrow();
        assertThat(back.opcode()).isEqualTo(Opcode.LOGIN_REQUEST);
        assertThat(back.immediate()).isTrue();
        assertThat(back.transit()).isTrue();
        assertThat(back.currentStage()).isEqualTo(1);
        assertThat(back.nextStage()).isEqualTo(3);
        assertThat(back.isid()).isEqualTo("23d000000000");
        assertThat(back.dataLength()).isEqualTo(text.length);
        assertThat(wire.hasRemaining()).isFalse();
    }

    @Test
    void roundTripWithDigestsAndPadding() {
        Pdu cmd = new Pdu(Opcode.SCSI_COMMAND, new byte[48], null, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
        cmd.byteAt(0, 0x01).flags(0xa0).itt(0x1234).int32(20, 5).int32(24, 7).byteAt(32, 0x2a);
        ByteBuffer wire = PduCodec.encode(cmd, true, true);
        assertThat(wire.remaining()).isEqualTo(48 + 4 + 8 + 4);
        Pdu back = PduCodec.decode(wire.duplicate(), true, true).orElseThrow();
        assertThat(back.itt()).isEqualTo(0x1234);
        assertThat(back.expectedDataTransferLength()).isEqualTo(5);
        assertThat(back.cmdSn()).isEqualTo(7);
        assertThat(back.cdb()[0]).isEqualTo((byte) 0x2a);
        assertThat(back.writeBit()).isTrue();

        ByteBuffer corrupt = wire.duplicate();
        corrupt.put(60, (byte) 9); // a data byte
        assertThat(PduCodec.decode(corrupt, true, true)).isInstanceOf(Decoded.Invalid.class);
        ByteBuffer badHeader = wire.duplicate();
        badHeader.put(20, (byte) 1);
        assertThat(((Decoded.Invalid<Pdu>) PduCodec.decode(badHeader, true, true)).reason()).contains("header digest");
    }

    @Test
    void extendedCdbComesFromTheAhs() {
        byte[] ahs = new byte[20]; // AHSLength 17 = 16 CDB bytes + reserved, type 1
        ahs[1] = 17;
        ahs[2] = 1;
        for (int i = 0; i < 16; i++) {
            ahs[4 + i] = (byte) (0x40 + i);
        }
        Pdu p = new Pdu(Opcode.SCSI_COMMAND, new byte[48], ahs, null);
        byte[] cdb = p.cdb();
        assertThat(cdb).hasSize(32);
        assertThat(cdb[16]).isEqualTo((byte) 0x40);
        assertThat(cdb[31]).isEqualTo((byte) 0x4f);
    }

    @Test
    void badInputIsAValueNotAnException() {
        assertThat(PduCodec.decode(ByteBuffer.allocate(10), false, false)).isInstanceOf(Decoded.Invalid.class);
        byte[] unknown = new byte[48];
        unknown[0] = 0x1f;
        assertThat(PduCodec.decode(ByteBuffer.wrap(unknown), false, false)).isInstanceOf(Decoded.Invalid.class);
        byte[] targetOpcode = new byte[48];
        targetOpcode[0] = 0x21;
        assertThat(((Decoded.Invalid<Pdu>) PduCodec.decode(ByteBuffer.wrap(targetOpcode), false, false)).reason())
                .contains("target opcode");
        byte[] truncated = new byte[48];
        truncated[7] = 100; // says 100 data bytes follow
        assertThat(((Decoded.Invalid<Pdu>) PduCodec.decode(ByteBuffer.wrap(truncated), false, false)).reason())
                .contains("truncated");
    }

    @Test
    void everyOpcodeOwnsItsNumber() {
        for (Opcode o : Opcode.values()) {
            assertThat(Opcode.of(o.code())).contains(o);
            assertThat(o.fromInitiator()).isEqualTo(o.code() < 0x20);
        }
        assertThat(Opcode.values()).hasSize(18);
    }
}
