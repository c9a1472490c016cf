package io.chainboot.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The write-data state machine alone: immediate, unsolicited and solicited data, R2T pacing, ordering, errors. */
class WriteAssemblyTest {
    final WriteAssembly.Tags ttts = new WriteAssembly.Tags(1);

    static ByteBuffer bytes(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return ByteBuffer.wrap(b);
    }

    static WriteAssembly.Step placed(List<WriteAssembly.R2t> r2ts, boolean complete) {
        return new WriteAssembly.Step.Placed(r2ts, complete);
    }

    @Test
    void immediateThenUnsolicitedThenSolicitedLikeLibiscsi() {
        // ImmediateData=Yes, InitialR2T=No, FirstBurst 8 KiB: 4 KiB immediate, 4 KiB unsolicited, the rest by R2T
        WriteAssembly w = WriteAssembly.start(20480, bytes(4096, 1), false, new WriteAssembly.Limits(false, 8192, 4096, 2));
        assertThat(w.complete()).isFalse();
        List<WriteAssembly.R2t> r2ts = w.ordered(ttts);
        assertThat(r2ts).containsExactly(new WriteAssembly.R2t(1, 0, 8192, 4096), new WriteAssembly.R2t(2, 1, 12288, 4096));
        assertThat(w.dataOut(WriteAssembly.UNSOLICITED, 0, 4096, bytes(4096, 2), ttts))
                .as("unsolicited sequence done: frees no R2T slot").isEqualTo(placed(List.of(), false));
        assertThat(w.dataOut(1, 0, 8192, bytes(4096, 3), ttts)).as("MaxOutstandingR2T 2: one freed, one more asked")
                .isEqualTo(placed(List.of(new WriteAssembly.R2t(3, 2, 16384, 4096)), false));
        assertThat(w.dataOut(2, 0, 12288, bytes(4096, 4), ttts)).isEqualTo(placed(List.of(), false));
        assertThat(w.ready()).isFalse();
        assertThat(w.dataOut(3, 0, 16384, bytes(4096, 5), ttts)).isEqualTo(placed(List.of(), true));
        assertThat(w.ready()).isTrue();
        assertThat(w.r2tsSent()).isEqualTo(3);
        ByteBuffer d = w.data(20480);
        for (int i = 0; i < 5; i++) {
            assertThat(d.get(i * 4096)).isEqualTo((byte) (i + 1));
        }
    }

    @Test
    void aCommandQueuedBehindACmdSnGapTakesItsUnsolicitedDataButIsNotSolicitedUntilOrdered() {
        WriteAssembly w = WriteAssembly.start(12288, bytes(2048, 1), false, new WriteAssembly.Limits(false, 4096, 4096, 1));
        assertThat(w.dataOut(WriteAssembly.UNSOLICITED, 0, 2048, bytes(2048, 2), ttts)).isEqualTo(placed(List.of(), false));
        assertThat(w.ready()).isFalse();
        assertThat(w.r2tsSent()).as("no R2T before the command's turn").isZero();
        assertThat(w.ordered(ttts)).containsExactly(new WriteAssembly.R2t(1, 0, 4096, 4096));
        assertThat(w.dataOut(1, 0, 4096, bytes(4096, 3), ttts))
                .isEqualTo(placed(List.of(new WriteAssembly.R2t(2, 1, 8192, 4096)), false));
        assertThat(w.dataOut(2, 0, 8192, bytes(4096, 4), ttts)).isEqualTo(placed(List.of(), true));
        assertThat(w.ready()).isTrue();
    }

    @Test
    void aWriteWhoseDataAllCameUnsolicitedIsReadyOnceOrdered() {
        WriteAssembly w = WriteAssembly.start(1024, bytes(512, 1), false, new WriteAssembly.Limits(false, 65536, 512, 1));
        w.dataOut(WriteAssembly.UNSOLICITED, 0, 512, bytes(512, 2), ttts);
        assertThat(w.complete()).isTrue();
        assertThat(w.ready()).as("complete but not in CmdSN order yet").isFalse();
        assertThat(w.ordered(ttts)).isEmpty();
        assertThat(w.ready()).isTrue();
        assertThat(w.r2tsSent()).isZero();
    }

    @Test
    void initialR2tAndFinalBitMeanNoUnsolicitedData() {
        WriteAssembly w = WriteAssembly.start(1024, ByteBuffer.allocate(0), false, new WriteAssembly.Limits(true, 65536, 512, 1));
        assertThat(w.dataOut(WriteAssembly.UNSOLICITED, 0, 0, bytes(512, 1), ttts)).isInstanceOf(WriteAssembly.Step.Error.class);
        assertThat(w.ordered(ttts)).containsExactly(new WriteAssembly.R2t(1, 0, 0, 512));
        WriteAssembly f = WriteAssembly.start(512, bytes(512, 9), true, new WriteAssembly.Limits(false, 65536, 512, 1));
        assertThat(f.complete()).isTrue();
        assertThat(f.ordered(ttts)).isEmpty();
    }

    @Test
    void outOfSequenceOrOutOfRangeDataIsAProtocolError() {
        WriteAssembly w = WriteAssembly.start(2048, ByteBuffer.allocate(0), false, new WriteAssembly.Limits(true, 0, 2048, 1));
        w.ordered(ttts);
        assertThat(w.dataOut(1, 1, 0, bytes(512, 1), ttts)).isEqualTo(new WriteAssembly.Step.Error("Data-Out DataSN 1, expected 0"));
        assertThat(w.dataOut(1, 0, 1800, bytes(512, 1), ttts)).isInstanceOf(WriteAssembly.Step.Error.class);
        assertThat(w.dataOut(7, 0, 0, bytes(512, 1), ttts)).isEqualTo(new WriteAssembly.Step.Error("Data-Out for unknown TTT 7"));
        assertThat(w.dataOut(1, 0, 0, bytes(1024, 1), ttts)).isEqualTo(placed(List.of(), false));
        assertThat(w.dataOut(1, 1, 1024, bytes(1024, 1), ttts)).isEqualTo(placed(List.of(), true));
        assertThat(w.complete()).isTrue();
        assertThat(w.dataOut(1, 2, 0, bytes(1, 1), ttts)).as("sequence closed").isInstanceOf(WriteAssembly.Step.Error.class);
    }

    @Test
    void immediateDataBeyondTheTransferLengthIsCut() {
        WriteAssembly w = WriteAssembly.start(512, bytes(1024, 7), true, new WriteAssembly.Limits(false, 65536, 512, 1));
        assertThat(w.complete()).isTrue();
        assertThat(w.data(4096).remaining()).isEqualTo(512);
    }

    @Test
    void transferTagsSkipTheReservedTag() {
        WriteAssembly.Tags t = new WriteAssembly.Tags(0xfffffffd);
        assertThat(t.getAsInt()).isEqualTo(0xfffffffd);
        assertThat(t.getAsInt()).isEqualTo(0xfffffffe);
        assertThat(t.getAsInt()).as("0xffffffff is the unsolicited tag: never handed out").isEqualTo(1);
        assertThat(t.getAsInt()).isEqualTo(2);
    }
}
