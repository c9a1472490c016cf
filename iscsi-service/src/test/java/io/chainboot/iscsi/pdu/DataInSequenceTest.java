package io.chainboot.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How one command's answer is cut into Data-In PDUs and where its status goes (RFC 7143 §11.4, §11.7). */
class DataInSequenceTest {
    static final int CHECK_CONDITION = 0x02;

    static ByteBuffer data(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return ByteBuffer.wrap(b);
    }

    static byte first(Pdu p) {
        ByteBuffer d = p.data();
        return d.get(d.position());
    }

    static DataInSequence.Answer good(ByteBuffer data) {
        return new DataInSequence.Answer(0, null, data, 0, 0, 0);
    }

    @Test
    void noDataIsOneScsiResponseWhoseExpDataSnCountsTheR2ts() {
        List<Pdu> out = DataInSequence.plan(7, new DataInSequence.Answer(0, null, null, 0, 0, 3), 8192, 262144);
        assertThat(out).hasSize(1);
        Pdu p = out.get(0);
        assertThat(p.opcode()).isEqualTo(Opcode.SCSI_RESPONSE);
        assertThat(p.itt()).isEqualTo(7);
        assertThat(p.word36()).as("ExpDataSN").isEqualTo(3);
    }

    @Test
    void dataIsCutAtTheSegmentLengthWithStatusInTheLastPdu() {
        List<Pdu> out = DataInSequence.plan(9, new DataInSequence.Answer(0, null, data(20000), TargetPdus.RESIDUAL_UNDERFLOW,
                480, 0), 8192, 262144);
        assertThat(out).extracting(Pdu::opcode).containsOnly(Opcode.DATA_IN);
        assertThat(out).extracting(Pdu::dataLength).containsExactly(8192, 8192, 3616);
        assertThat(out).extracting(Pdu::dataSn).containsExactly(0, 1, 2);
        assertThat(out).extracting(Pdu::bufferOffset).containsExactly(0, 8192, 16384);
        assertThat(out.get(0).flags()).as("no F, no S in the middle of a burst").isZero();
        Pdu last = out.get(2);
        assertThat(last.flags()).as("F, S, underflow").isEqualTo(0x80 | 0x01 | TargetPdus.RESIDUAL_UNDERFLOW);
        assertThat(last.word44()).as("residual").isEqualTo(480);
        assertThat(first(out.get(1))).as("the bytes at the PDU's offset").isEqualTo((byte) 8192);
        assertThat(out.get(1).data().get(out.get(1).data().position() + 5)).isEqualTo((byte) (8192 + 5));
        assertThat(TargetPdus.isDataInWithoutStatus(out.get(1))).isTrue();
        assertThat(TargetPdus.isDataInWithoutStatus(last)).isFalse();
    }

    @Test
    void eachMaxBurstSequenceEndsWithF() {
        List<Pdu> out = DataInSequence.plan(1, good(data(3 * 4096)), 4096, 8192);
        assertThat(out).extracting(Pdu::dataLength).containsExactly(4096, 4096, 4096);
        assertThat(out).extracting(p -> (p.flags() & 0x80) != 0).containsExactly(false, true, true);
        // a burst that is not a multiple of the segment: the segment is shortened to end the burst
        List<Pdu> uneven = DataInSequence.plan(1, good(data(10000)), 4096, 6000);
        assertThat(uneven).extracting(Pdu::dataLength).containsExactly(4096, 1904, 4000);
        assertThat(uneven).extracting(p -> (p.flags() & 0x80) != 0).containsExactly(false, true, true);
    }

    @Test
    void senseDataMeansASeparateScsiResponseAfterTheData() {
        byte[] sense = {0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24, 0, 0, 0, 0, 0};
        List<Pdu> out = DataInSequence.plan(4, new DataInSequence.Answer(CHECK_CONDITION, sense, data(1024), 0, 0, 0), 512,
                262144);
        assertThat(out).extracting(Pdu::opcode).containsExactly(Opcode.DATA_IN, Opcode.DATA_IN, Opcode.SCSI_RESPONSE);
        assertThat(out.get(1).flags() & 0x01).as("no status in the Data-In").isZero();
        assertThat(out.get(2).word36()).as("ExpDataSN = Data-In PDUs sent").isEqualTo(2);
        assertThat(out.get(2).data().getShort(0)).as("SenseLength").isEqualTo((short) sense.length);
    }

    @Test
    void declaredLengthsBelow512AreRaisedTo512() {
        assertThat(DataInSequence.plan(1, good(data(1024)), 0, 100)).extracting(Pdu::dataLength).containsExactly(512, 512);
    }

    @Test
    void slicesFollowTheBuffersPosition() {
        ByteBuffer b = data(2048);
        b.position(1024);
        List<Pdu> out = DataInSequence.plan(1, good(b), 512, 262144);
        assertThat(out).extracting(Pdu::bufferOffset).containsExactly(0, 512);
        assertThat(out.get(1).data().get(out.get(1).data().position() + 3)).isEqualTo((byte) (1024 + 512 + 3));
        assertThat(b.position()).as("the answer's buffer is not moved").isEqualTo(1024);
    }
}
