package io.chainboot.iscsi.scsi;

import java.nio.ByteBuffer;

/**
 * A SCSI command as the transport delivers it: the CDB, the flat LUN index (already decoded from
 * the SAM LUN structure), and for writes ALL the data-out bytes (position..limit).
 */
public record ScsiRequest(Nexus nexus, long lun, byte[] cdb, ByteBuffer dataOut, int expectedDataTransferLength) {}
