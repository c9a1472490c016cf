package io.chainboot.iscsi.targets;

import io.chainboot.events.MachineSpec;
import io.chainboot.iscsi.scsi.BlockDevice;

import java.io.IOException;

/**
 * Opens the block device of a machine's disk. The seam for copy-on-write overlays (issue 6): RAW
 * disks open a file today; an OVERLAY implementation will stack a per-machine delta on a golden
 * image behind the same interface.
 */
public interface DiskOpener {
    BlockDevice open(MachineSpec spec) throws IOException;
}
