package io.chainboot.iscsi.scsi;

import java.nio.ByteBuffer;
import java.util.function.IntFunction;

/**
 * All logical units of one target (LUN 0 = the boot disk): command execution (SPC-4, SBC-3),
 * REPORT LUNS, unit attentions and resets. Thread-safe: many sessions may call it concurrently.
 */
public interface ScsiTarget {

    /** Executes one command; data-in buffers are allocated on the heap. */
    ScsiResponse execute(ScsiRequest request);

    /**
     * Executes one command, taking the data-in buffer from {@code dataInBuffers} (called at most
     * once per command with the byte count needed; it must return a buffer with at least that many
     * bytes remaining). A READ is copied straight from the backing file into that buffer, so a
     * transport can hand out pooled direct buffers and send them without another copy. The
     * returned {@link ScsiResponse#dataIn()} is then a slice of, or that very buffer.
     */
    ScsiResponse execute(ScsiRequest request, IntFunction<ByteBuffer> dataInBuffers);

    /** How many bytes a write command will transfer (so the transport can R2T for it), from the CDB; 0 if none. */
    int dataOutLength(byte[] cdb);

    /** TMF LOGICAL UNIT RESET (SAM-5 §7.7): resets the LU and raises a unit attention on every nexus. */
    void lunReset(long lun);

    /** TMF TARGET WARM/COLD RESET: a LOGICAL UNIT RESET of every LU. */
    void targetReset();

    /** The session of this nexus ended: forget its unit attentions and state. */
    void nexusLost(Nexus nexus);

    /** The target name this was built for. */
    String targetName();

    /** Number of LUNs (0..luns()-1). */
    int luns();
}
