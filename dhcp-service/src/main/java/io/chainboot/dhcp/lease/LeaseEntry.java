package io.chainboot.dhcp.lease;

import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;

import java.time.Instant;

/**
 * One address in the lease table.
 *
 * @param state OFFERED (held for a client between OFFER and REQUEST), BOUND (leased), DECLINED
 *              (quarantined after a DHCPDECLINE, RFC 2131 §4.3.3) or FREE (released or expired;
 *              the MAC is kept so the same client gets the same address back)
 */
public record LeaseEntry(Ipv4Address ip, MacAddress mac, Instant expiresAt, State state, String hostname) {

    public enum State { OFFERED, BOUND, DECLINED, FREE }

    /** Whether the address is held for {@code mac}'s exclusive use at {@code now}. */
    public boolean heldAt(Instant now) {
        return state != State.FREE && now.isBefore(expiresAt);
    }

    public Lease toLease() {
        return new Lease(ip, mac, expiresAt, hostname);
    }
}
