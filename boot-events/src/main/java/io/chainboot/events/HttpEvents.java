package io.chainboot.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A boot loader delivered over HTTP — what UEFI HTTP Boot firmware fetches instead of a TFTP file
 * (UEFI 2.5+ §24.7: the URL in DHCP option 67). Published by the service that serves boot files
 * over HTTP (script-service's {@code /boot-files/}); the MAC comes from the lease table, or is null
 * (keyed by IP), as for TFTP. The HTTP twins of {@link TftpEvents.Completed} / {@link TftpEvents.Failed}.
 *
 * <p>{@code ipv6}: the client's IPv6 address (RFC 5952 text) when it fetched over IPv6 (UEFI HTTPv6 Boot),
 * {@code ip} then null; null over IPv4. An event whose MAC is unknown is keyed by whichever address it has.
 */
public final class HttpEvents {
    private HttpEvents() {
    }

    /** The whole file was sent (a 200 GET; ranges, HEAD and 304 are not a delivery). */
    public record Completed(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                            String file, long bytes, long durationMs, String ipv6) implements BootEvent {
        /** A fetch over IPv4 ({@code ipv6} null). */
        public Completed(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                         String file, long bytes, long durationMs) {
            this(id, time, source, mac, ip, file, bytes, durationMs, null);
        }

        @Override
        @com.fasterxml.jackson.annotation.JsonIgnore
        public String key() {
            return mac == null && ip == null && ipv6 != null ? ipv6 : BootEvent.super.key();
        }
    }

    /** The firmware asked for a boot file that could not be delivered ({@code status}: the HTTP status sent). */
    public record Failed(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                         String file, int status, String reason, String ipv6) implements BootEvent {
        /** A fetch over IPv4 ({@code ipv6} null). */
        public Failed(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                      String file, int status, String reason) {
            this(id, time, source, mac, ip, file, status, reason, null);
        }

        @Override
        @com.fasterxml.jackson.annotation.JsonIgnore
        public String key() {
            return mac == null && ip == null && ipv6 != null ? ipv6 : BootEvent.super.key();
        }
    }
}
