package io.chainboot.iscsi.session;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * One SCSI task of a connection, from its SCSI Command PDU to its response: where its write data
 * stands (immediate, unsolicited, solicited by R2T; RFC 7143 §4.2.5.2) and whether it was aborted.
 * Data-Out bookkeeping is touched only by the connection's reader thread.
 */
final class Task {
    final int itt;
    final long lun;
    final byte[] cdb;
    final int edtl;
    final boolean write;
    final int cmdSn;
    final ByteBuffer dataOut;
    /** Bytes at the start of the buffer that arrive without R2T (immediate + unsolicited). */
    final int unsolicitedEnd;
    int received;
    int nextR2tOffset;
    int outstandingR2t;
    int r2tSn;
    /** TTT -> [expected next DataSN, bytes still owed for that R2T]; TTT 0xffffffff = unsolicited. */
    final Map<Integer, int[]> sequences = new HashMap<>();
    boolean ordered;
    boolean submitted;
    /** System.nanoTime() when the command PDU arrived and when it was handed to the I/O executor (debug timings). */
    final long arrivedNanos = System.nanoTime();
    volatile long submittedNanos;
    volatile boolean aborted;

    Task(int itt, long lun, byte[] cdb, int edtl, boolean write, int cmdSn, ByteBuffer dataOut, int unsolicitedEnd) {
        this.itt = itt;
        this.lun = lun;
        this.cdb = cdb;
        this.edtl = edtl;
        this.write = write;
        this.cmdSn = cmdSn;
        this.dataOut = dataOut;
        this.unsolicitedEnd = unsolicitedEnd;
        this.nextR2tOffset = unsolicitedEnd;
    }

    boolean allDataReceived() {
        return !write || received >= edtl;
    }
}
