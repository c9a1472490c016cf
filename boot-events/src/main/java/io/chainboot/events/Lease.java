package io.chainboot.events;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.Objects;

/**
 * A DHCP lease: the value on the compacted {@link Topics#LEASES} topic, keyed by IP. Lets
 * services that only see an address (TFTP, iSCSI) name the machine.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Lease(Ipv4Address ip, MacAddress mac, Instant expiresAt, String hostname) {
    public Lease {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public boolean isActiveAt(Instant now) {
        return now.isBefore(expiresAt);
    }
}
