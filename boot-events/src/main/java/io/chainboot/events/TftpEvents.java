package io.chainboot.events;

import java.time.Instant;
import java.util.UUID;

/** Events published by tftp-service; the MAC comes from the lease table, or is null (keyed by IP). */
public final class TftpEvents {
    private TftpEvents() {
    }

    /** A read request was accepted with these negotiated options (tsize null when not asked). */
    public record Started(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                          String file, int blockSize, int windowSize, Long tsize) implements BootEvent {
    }

    /** The last block was acknowledged. */
    public record Completed(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                            String file, long bytes, long durationMs, int blockSize, int windowSize,
                            int retransmits) implements BootEvent {
    }

    /** The transfer ended without the file being delivered (not found, denied, timed out, client error…). */
    public record Failed(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                         String file, String reason, long bytes) implements BootEvent {
    }
}
