package io.chainboot.iscsi.scsi;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches one session's commands for the moment its initiator has attached the disk: the first GOOD
 * READ CAPACITY (10 or 16) plus the first GOOD READ of the session, in either order. The SCSI layer
 * feeds it ({@link DiskTarget}, with the capacity it answered) and marks the completing response
 * ({@link ScsiResponse#attached()}) exactly once; the transport passes one per session in
 * {@link ScsiRequest#attach()} and reports the event after the answer is on the wire. Thread-safe.
 */
public final class LunAttach {
    /** The attach, with the capacity the READ CAPACITY reported. */
    public record Attached(long lun, long blocks, int blockSize) {
    }

    private final AtomicBoolean done = new AtomicBoolean();
    private volatile boolean capacitySeen;
    private volatile boolean readSeen;
    private volatile long blocks;
    private volatile int blockSize;

    /** A GOOD READ CAPACITY answered {@code blocks} × {@code blockSize}; the attach if that completes it. */
    Attached capacity(long lun, long blocks, int blockSize) {
        if (done.get()) {
            return null;
        }
        this.blocks = blocks;
        this.blockSize = blockSize;
        capacitySeen = true;
        return complete(lun);
    }

    /** A GOOD READ; the attach if that completes it. */
    Attached read(long lun) {
        if (done.get()) {
            return null;
        }
        readSeen = true;
        return complete(lun);
    }

    private Attached complete(long lun) {
        return capacitySeen && readSeen && done.compareAndSet(false, true) ? new Attached(lun, blocks, blockSize) : null;
    }
}
