package io.chainboot.iscsi.session;


/**
 * One SCSI task of a connection, from its SCSI Command PDU to its response: its write data (a
 * {@link WriteAssembly}, touched only by the connection's reader thread) and whether it was aborted.
 */
final class Task {
    final int itt;
    final long lun;
    final byte[] cdb;
    final int edtl;
    final boolean write;
    final int cmdSn;
    /** The write's data and its R2T bookkeeping; null for a command without data-out. */
    final WriteAssembly writes;
    /** A write longer than iscsi.limits.max-write-bytes: answered CHECK CONDITION when its turn comes. */
    final boolean tooLarge;
    boolean ordered;
    boolean submitted;
    /** System.nanoTime() when the command PDU arrived and when it was handed to the I/O executor (debug timings). */
    final long arrivedNanos = System.nanoTime();
    volatile long submittedNanos;
    volatile boolean aborted;

    Task(int itt, long lun, byte[] cdb, int edtl, int cmdSn, WriteAssembly writes, boolean tooLarge) {
        this.itt = itt;
        this.lun = lun;
        this.cdb = cdb;
        this.edtl = edtl;
        this.write = writes != null;
        this.cmdSn = cmdSn;
        this.writes = writes;
        this.tooLarge = tooLarge;
    }

    boolean allDataReceived() {
        return writes == null || writes.complete();
    }
}
