package io.chainboot.dhcp.ha;

import io.chainboot.dhcp.lease.LeaseEntry;
import io.chainboot.dhcp.lease.LeaseTable;
import io.chainboot.dhcp.lease.Pool;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;

import java.time.Instant;
import java.util.Optional;

/**
 * Rules 2 and 3 of docs/dhcp-ha.md, pure: does this instance answer a client's DISCOVER, and a
 * REQUEST for a given address, or does it leave it to the instance that owns it?
 */
public final class HaGate {
    private final int me;
    private final Shares shares;
    private final Liveness liveness;
    private final java.util.concurrent.atomic.AtomicLong deferred = new java.util.concurrent.atomic.AtomicLong();

    public HaGate(HaSettings settings, Liveness liveness) {
        this.me = settings.index();
        this.shares = new Shares(settings.instances());
        this.liveness = liveness;
    }

    /** The answer: serve it here, or leave it to {@code owner} (silence, with the reason). */
    public sealed interface Verdict {
        record Serve() implements Verdict {
        }

        record Defer(int owner, String reason) implements Verdict {
        }
    }

    static final Verdict SERVE = new Verdict.Serve();

    /**
     * Rule 2: the client's owner is the share of its active binding, else its RFC 3074 bucket; only
     * the owner answers, or anyone when the owner is down.
     */
    public Verdict discover(MacAddress mac, Optional<Ipv4Address> binding, Pool pool, Instant now) {
        int owner = binding.map(ip -> shares.addressOwner(pool, ip)).filter(o -> o >= 0).orElseGet(() -> shares.clientOwner(mac));
        if (owner == me || liveness.down(owner, now)) {
            return SERVE;
        }
        deferred.incrementAndGet();
        return new Verdict.Defer(owner, binding.isPresent() ? "client holds " + binding.get() + " of instance " + owner
                + "'s share" : "client hashes to instance " + owner);
    }

    /**
     * Rule 3: a REQUEST for an address of another instance's share is served here only as an
     * extension of the binding {@code entry} records for this same client (active or ended, see
     * {@link LeaseTable#namesClient}): a RENEWING/REBINDING
     * one ({@code ciaddr} set: the client's own server did not answer its renewal) at once, an
     * INIT-REBOOT or SELECTING one only when the owner is down (while it is up, it answers). Addresses
     * outside the range (reserved) and the own share are served here.
     */
    public Verdict request(MacAddress mac, Ipv4Address wanted, boolean reservedForMac, boolean rebinding,
                           Optional<LeaseEntry> entry, Pool pool, Instant now) {
        int owner = shares.addressOwner(pool, wanted);
        if (owner < 0 || owner == me || reservedForMac) {
            return SERVE;
        }
        if (!rebinding && !liveness.down(owner, now)) {
            deferred.incrementAndGet();
            return new Verdict.Defer(owner, wanted + " is in instance " + owner + "'s share");
        }
        boolean holds = entry.filter(e -> LeaseTable.namesClient(e, mac)).isPresent();
        if (!holds) {
            deferred.incrementAndGet();
        }
        return holds ? SERVE : new Verdict.Defer(owner, wanted + " is in the share of instance " + owner
                + " and not held by this client");
    }

    /** How many requests were left to another instance. */
    public long deferred() {
        return deferred.get();
    }

    /** The instance whose share holds {@code ip}; -1 outside the pool's range. */
    public int owner(Pool pool, Ipv4Address ip) {
        return shares.addressOwner(pool, ip);
    }

    /** This instance's index. */
    public int me() {
        return me;
    }

    /** Whether this instance owns {@code ip} (its expiry tombstones are ours to write). */
    public boolean owns(Pool pool, Ipv4Address ip) {
        int o = shares.addressOwner(pool, ip);
        return o < 0 || o == me;
    }
}
