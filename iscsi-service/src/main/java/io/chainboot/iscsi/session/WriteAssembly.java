package io.chainboot.iscsi.session;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Where one write command's data stands (RFC 7143 §4.2.5.2 and §11.7-11.8): immediate data from the
 * SCSI Command PDU, then unsolicited Data-Out up to FirstBurstLength (unless InitialR2T=Yes or the
 * command had F set), then the rest solicited by R2Ts of at most MaxBurstLength each, no more than
 * MaxOutstandingR2T at a time. A pure state machine like tftp's {@code ReadTransfer}: the connection
 * hands it events (the command's CmdSN turn came, a Data-Out arrived) and gets back the R2Ts to send
 * or a protocol error; it owns no socket and no thread, and is touched by the connection's reader
 * thread only. Each Data-Out sequence (one TTT) must carry DataSN 0, 1, 2… and stay inside the bytes
 * that sequence owes and the expected transfer length.
 *
 * <p>R2Ts go out only once the command is in CmdSN order ({@link #ordered}): a command queued behind a
 * CmdSN gap takes its immediate and unsolicited data but is not solicited, so a command that may never
 * run (its predecessor lost, the session ending) holds no R2T. After that, each completed R2T sequence
 * frees a slot for the next R2T. R2TSN counts 0, 1, 2… per command; the number sent is the SCSI
 * Response's ExpDataSN (§11.4.8). Target Transfer Tags come from the connection's {@link Tags}.
 */
final class WriteAssembly {
    /** TTT of the unsolicited sequence (Data-Out sent without an R2T carry the reserved tag). */
    static final int UNSOLICITED = 0xffffffff;

    /** The negotiated values that shape the transfer. */
    record Limits(boolean initialR2T, int firstBurstLength, int maxBurstLength, int maxOutstandingR2T) {}

    /** An R2T to send: its Target Transfer Tag, R2TSN, buffer offset and desired length. */
    record R2t(int ttt, int r2tSn, int offset, int length) {}

    /** Target Transfer Tags 1, 2, … per connection, skipping the reserved 0xffffffff (§11.7.4). */
    static final class Tags implements IntSupplier {
        private int next;

        Tags(int first) {
            this.next = first;
        }

        @Override
        public int getAsInt() {
            int ttt = next++;
            if (next == UNSOLICITED) {
                next = 1;
            }
            return ttt;
        }
    }

    /** What one Data-Out did. */
    sealed interface Step {
        /** Data placed; {@code r2ts}: the R2Ts that may go out now; {@code complete}: every byte arrived. */
        record Placed(List<R2t> r2ts, boolean complete) implements Step {}

        /** A protocol error (ErrorRecoveryLevel 0: the connection ends), with its reason. */
        record Error(String reason) implements Step {}
    }

    private final int edtl;
    private final Limits limits;
    private final ByteBuffer data;
    private int received;
    private int nextR2tOffset;
    private int outstandingR2t;
    private int r2tSn;
    private boolean ordered;
    /** TTT -> [expected next DataSN, bytes still owed by that sequence]. */
    private final Map<Integer, int[]> sequences = new HashMap<>();

    private WriteAssembly(int edtl, Limits limits) {
        this.edtl = edtl;
        this.limits = limits;
        this.data = ByteBuffer.allocate(edtl);
    }

    /**
     * A write of {@code edtl} bytes whose command PDU carried {@code immediate} (not consumed) and the F
     * bit {@code finalBit} (no unsolicited Data-Out follows).
     */
    static WriteAssembly start(int edtl, ByteBuffer immediate, boolean finalBit, Limits limits) {
        WriteAssembly w = new WriteAssembly(edtl, limits);
        ByteBuffer imm = immediate.duplicate();
        int n = Math.min(imm.remaining(), edtl);
        imm.limit(imm.position() + n);
        w.data.put(imm);
        w.received = n;
        int unsolicitedEnd = finalBit || limits.initialR2T() ? n : Math.min(edtl, Math.max(n, limits.firstBurstLength()));
        if (unsolicitedEnd > n) {
            w.sequences.put(UNSOLICITED, new int[] {0, unsolicitedEnd - n});
        }
        w.nextR2tOffset = unsolicitedEnd;
        return w;
    }

    /** The command's turn in CmdSN order came: the first R2Ts to send (none if the data is all there or unsolicited). */
    List<R2t> ordered(IntSupplier nextTtt) {
        ordered = true;
        return solicit(nextTtt);
    }

    /** The R2Ts that may go out now (none before {@link #ordered}, once every byte is asked for, or at the outstanding limit). */
    private List<R2t> solicit(IntSupplier nextTtt) {
        if (!ordered) {
            return List.of();
        }
        List<R2t> out = new ArrayList<>();
        while (nextR2tOffset < edtl && outstandingR2t < limits.maxOutstandingR2T()) {
            int len = Math.min(limits.maxBurstLength(), edtl - nextR2tOffset);
            int ttt = nextTtt.getAsInt();
            out.add(new R2t(ttt, r2tSn++, nextR2tOffset, len));
            sequences.put(ttt, new int[] {0, len});
            nextR2tOffset += len;
            outstandingR2t++;
        }
        return out;
    }

    /**
     * A Data-Out PDU (§11.7): placed at its buffer offset if its TTT, DataSN and range are right; a
     * completed R2T sequence lets the next R2Ts out ({@code nextTtt} numbers them).
     */
    Step dataOut(int ttt, int dataSn, int offset, ByteBuffer payload, IntSupplier nextTtt) {
        int[] seq = sequences.get(ttt);
        if (seq == null) {
            return new Step.Error("Data-Out for unknown TTT " + Integer.toHexString(ttt));
        }
        int len = payload.remaining();
        if (dataSn != seq[0]) {
            return new Step.Error("Data-Out DataSN " + dataSn + ", expected " + seq[0]);
        }
        if (offset < 0 || (long) offset + len > edtl || len > seq[1]) {
            return new Step.Error("Data-Out offset " + offset + " + " + len + " outside the expected transfer");
        }
        seq[0]++;
        seq[1] -= len;
        data.duplicate().position(offset).put(payload.duplicate());
        received += len;
        List<R2t> r2ts = List.of();
        if (seq[1] == 0) {
            sequences.remove(ttt);
            if (ttt != UNSOLICITED) {
                outstandingR2t--;
                r2ts = solicit(nextTtt);
            }
        }
        return new Step.Placed(r2ts, complete());
    }

    /** Every byte of the expected transfer arrived. */
    boolean complete() {
        return received >= edtl;
    }

    /** In CmdSN order and every byte arrived: the command may execute. */
    boolean ready() {
        return ordered && complete();
    }

    /** The assembled data, position 0, limit {@code min(length, edtl)}. */
    ByteBuffer data(int length) {
        return data.duplicate().position(0).limit(Math.min(length, edtl));
    }

    /** R2Ts sent so far: the SCSI Response's ExpDataSN for a write (§11.4.8). */
    int r2tsSent() {
        return r2tSn;
    }
}
