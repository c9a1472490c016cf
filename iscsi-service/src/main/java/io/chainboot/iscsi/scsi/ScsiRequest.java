package io.chainboot.iscsi.scsi;

import java.nio.ByteBuffer;

/**
 * A SCSI command as the transport delivers it: the CDB, the flat LUN index (already decoded from
 * the SAM LUN structure), the initiator's expected data transfer length, and for writes ALL the
 * data-out bytes received (position..limit, at most that length; null for a command without
 * data-out). {@code attach} is the session's {@link LunAttach} watch, or null when nobody asks.
 */
public record ScsiRequest(Nexus nexus, long lun, byte[] cdb, ByteBuffer dataOut, int expectedDataTransferLength,
        LunAttach attach) {
    public ScsiRequest(Nexus nexus, long lun, byte[] cdb, ByteBuffer dataOut, int expectedDataTransferLength) {
        this(nexus, lun, cdb, dataOut, expectedDataTransferLength, null);
    }
}
