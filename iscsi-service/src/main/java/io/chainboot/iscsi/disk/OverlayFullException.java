package io.chainboot.iscsi.disk;

import io.chainboot.iscsi.scsi.SpaceAllocationFailedException;

import java.nio.file.Path;

/**
 * A write needed more overlay space than its limit allows. Thrown before anything of the write
 * is stored. The SCSI layer answers DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT
 * (27h/07h, SBC-3 §4.7.3.6) — a clean error, never a hang.
 */
public final class OverlayFullException extends SpaceAllocationFailedException {
    private final long needed;
    private final long free;

    public OverlayFullException(Path overlay, long needed, long free) {
        super(overlay + ": overlay space exhausted (needs " + needed + " bytes, " + free + " free)");
        this.needed = needed;
        this.free = free;
    }

    public long needed() {
        return needed;
    }

    public long free() {
        return free;
    }
}
