package io.chainboot.iscsi.scsi;

import java.io.IOException;

/**
 * Thrown by a thin-provisioned {@link BlockDevice} whose backing space is exhausted. The SCSI
 * layer answers DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT (27h/07h, SBC-3 §4.7.3.6)
 * instead of a MEDIUM ERROR.
 */
public class SpaceAllocationFailedException extends IOException {
    public SpaceAllocationFailedException(String message) {
        super(message);
    }
}
