package io.chainboot.iscsi.disk;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A write needed more overlay space than its limit allows. Thrown before anything of the write
 * is stored. The SCSI answer it deserves is DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT
 * (27h/07h, SBC-3 §4.7.3.6); as an {@code IOException} it is at least a clean MEDIUM ERROR / WRITE
 * ERROR, never a hang.
 */
public final class OverlayFullException extends IOException {
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
