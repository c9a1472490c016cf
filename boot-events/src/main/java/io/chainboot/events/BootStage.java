package io.chainboot.events;

/**
 * Where a machine is in the chainload sequence (docs/architecture.md, "The boot chain").
 * Ordinal order is chain order for the progressing stages; {@link #FAILED} and {@link #STALLED}
 * are terminal states of an attempt, not steps.
 */
public enum BootStage {
    PXE_DHCP,
    FIRMWARE_LOADED,
    IPXE_DHCP,
    SCRIPT,
    SAN_ATTACHED,
    OS_RUNNING,
    FAILED,
    STALLED;

    public boolean isProgress() {
        return this != FAILED && this != STALLED;
    }
}
