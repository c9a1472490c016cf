package io.chainboot.events;

/** How a machine's disk is stored: its own raw image, or a copy-on-write overlay on a golden image. */
public enum DiskKind {
    RAW,
    OVERLAY
}
