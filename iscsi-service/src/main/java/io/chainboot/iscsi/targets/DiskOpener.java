package io.chainboot.iscsi.targets;

import io.chainboot.events.MachineSpec;
import io.chainboot.iscsi.scsi.BlockDevice;

import java.io.IOException;

/**
 * Opens the block device of a machine's disk, RAW or OVERLAY: the service's implementation is
 * {@link io.chainboot.iscsi.disk.DiskStore} (a RAW file, or a per-machine copy-on-write delta on a
 * golden image); {@link TargetRegistry#rawDisks} opens RAW files only.
 */
public interface DiskOpener {
    BlockDevice open(MachineSpec spec) throws IOException;
}
