package io.chainboot.events;

/** Kafka topic names: the only place they are spelled. */
public final class Topics {
    /** Every boot event; key = MAC (canonical), or IP when the MAC is unknown. JSON {@link BootEvent}. */
    public static final String BOOT_EVENTS = "chainboot.boot-events";
    /** Compacted; key = MAC, value = {@link MachineSpec} JSON, tombstone = machine deleted. */
    public static final String MACHINES = "chainboot.machines";
    /** Compacted; key = IP, value = {@link Lease} JSON, tombstone = lease gone. */
    public static final String LEASES = "chainboot.leases";

    private Topics() {
    }
}
