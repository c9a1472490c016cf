package io.chainboot.iscsi.scsi;

import java.util.List;

/** Builds {@link ScsiTarget}s. */
public final class ScsiTargets {
    private ScsiTargets() {}

    /**
     * A target whose LUN {@code i} is {@code lunsInOrder.get(i)}; LUN 0 is the boot disk. The
     * devices stay owned by the caller (closing them is the caller's job). Each device's persistent
     * reservations are read from its {@link BlockDevice#reservationsFile()}; an unreadable one throws
     * {@link java.io.UncheckedIOException}.
     */
    public static ScsiTarget of(String targetName, List<BlockDevice> lunsInOrder) {
        return new DiskTarget(targetName, lunsInOrder);
    }
}
