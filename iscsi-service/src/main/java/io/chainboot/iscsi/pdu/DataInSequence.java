package io.chainboot.iscsi.pdu;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The PDUs that answer one SCSI command (RFC 7143 §11.4, §11.7), as a pure plan: its data-in as Data-In
 * PDUs of at most the initiator's MaxRecvDataSegmentLength each, F at the end of each MaxBurstLength
 * sequence, DataSN 0, 1, 2 … and buffer offsets in order; the status in the last Data-In (phase
 * collapse, §11.7.4) when it is GOOD without sense, otherwise a SCSI Response after the data, whose
 * ExpDataSN is the number of Data-In PDUs sent (§11.4.8). A command without data-in is answered by a
 * SCSI Response alone, whose ExpDataSN for a write is the number of R2Ts sent.
 */
public final class DataInSequence {
    private DataInSequence() {}

    /** SCSI status GOOD (SAM-5). */
    private static final int GOOD = 0x00;
    /** Smallest segment and burst honoured, whatever the initiator declared (RFC 7143 §13.12: at least 512). */
    static final int MIN_SEGMENT = 512;

    /**
     * One command's answer.
     *
     * @param status       SCSI status
     * @param sense        sense data, or null
     * @param data         data-in (already at most the expected transfer length), or null
     * @param residualFlags {@link TargetPdus#RESIDUAL_UNDERFLOW} / {@link TargetPdus#RESIDUAL_OVERFLOW} or 0
     * @param residual     the residual count
     * @param r2tsSent     R2Ts sent for the command (its SCSI Response's ExpDataSN when there is no data-in)
     */
    public record Answer(int status, byte[] sense, ByteBuffer data, int residualFlags, int residual, int r2tsSent) {
        int dataLength() {
            return data == null ? 0 : data.remaining();
        }
    }

    /** The PDUs, in wire order; {@code mrdsl} and {@code maxBurst} are the negotiated values. */
    public static List<Pdu> plan(int itt, Answer a, int mrdsl, int maxBurst) {
        int send = a.dataLength();
        if (send == 0) {
            return List.of(TargetPdus.scsiResponse(itt, a.status(), a.sense(), a.residualFlags(), a.residual(), a.r2tsSent()));
        }
        ByteBuffer data = a.data();
        boolean collapse = a.status() == GOOD && a.sense() == null;
        int segment = Math.max(MIN_SEGMENT, mrdsl);
        int burst = Math.max(MIN_SEGMENT, maxBurst);
        List<Pdu> out = new ArrayList<>(send / segment + 2);
        int dataSn = 0;
        int offset = 0;
        int inBurst = 0;
        while (offset < send) {
            int len = Math.min(Math.min(segment, send - offset), burst - inBurst);
            ByteBuffer slice = data.duplicate();
            slice.position(data.position() + offset).limit(data.position() + offset + len);
            offset += len;
            inBurst += len;
            boolean last = offset == send;
            boolean endOfBurst = inBurst == burst || last;
            if (endOfBurst) {
                inBurst = 0;
            }
            out.add(last && collapse
                    ? TargetPdus.dataInWithStatus(itt, dataSn++, offset - len, slice, a.status(), a.residualFlags(),
                            a.residual())
                    : TargetPdus.dataIn(itt, dataSn++, offset - len, slice, endOfBurst));
        }
        if (!collapse) {
            out.add(TargetPdus.scsiResponse(itt, a.status(), a.sense(), a.residualFlags(), a.residual(), dataSn));
        }
        return out;
    }
}
