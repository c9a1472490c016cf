package io.chainboot.events;

import java.time.Instant;
import java.util.UUID;

/** Published by inventory-service when a machine appears or its spec changes. */
public final class MachineEvents {
    private MachineEvents() {
    }

    /** First sight of a MAC; what the first packet told about it. */
    public record Registered(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                             String uuid, Integer arch, String vendorClass, String hostname) implements BootEvent {
    }

    /** The machine's spec changed (the same value went to {@link Topics#MACHINES}). */
    public record Updated(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                          MachineSpec spec) implements BootEvent {
    }
}
