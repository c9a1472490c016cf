package io.chainboot.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A boot loader delivered over HTTP — what UEFI HTTP Boot firmware fetches instead of a TFTP file
 * (UEFI 2.5+ §24.7: the URL in DHCP option 67). Published by the service that serves boot files
 * over HTTP (script-service's {@code /boot-files/}); the MAC comes from the lease table, or is null
 * (keyed by IP), as for TFTP. The HTTP twins of {@link TftpEvents.Completed} / {@link TftpEvents.Failed}.
 */
public final class HttpEvents {
    private HttpEvents() {
    }

    /** The whole file was sent (a 200 GET; ranges, HEAD and 304 are not a delivery). */
    public record Completed(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                            String file, long bytes, long durationMs) implements BootEvent {
    }

    /** The firmware asked for a boot file that could not be delivered ({@code status}: the HTTP status sent). */
    public record Failed(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                         String file, int status, String reason) implements BootEvent {
    }
}
