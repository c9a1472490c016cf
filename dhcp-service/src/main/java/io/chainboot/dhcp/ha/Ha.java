package io.chainboot.dhcp.ha;

import io.chainboot.dhcp.lease.LeaseRules;
import io.chainboot.dhcp.lease.Pool;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One instance's HA state, shared by the lease tables (rules 1, 4, 5 through {@link #rulesFor}),
 * the responder (rules 2, 3 through {@link #gate}) and {@link HaLink} (which feeds {@link #liveness}).
 * No I/O.
 */
public final class Ha {
    private final HaSettings settings;
    private final String instance;
    private final Liveness liveness;
    private final HaGate gate;
    private final Shares shares;
    private final AtomicLong conflicts = new AtomicLong();

    public Ha(HaSettings settings, String instance) {
        this.settings = settings;
        this.instance = instance;
        this.liveness = new Liveness(settings);
        this.gate = new HaGate(settings, liveness);
        this.shares = new Shares(settings.instances());
    }

    public HaSettings settings() {
        return settings;
    }

    public String instance() {
        return instance;
    }

    public Liveness liveness() {
        return liveness;
    }

    public HaGate gate() {
        return gate;
    }

    /** The lease rules for one pool: this instance's share of it, the MCLT, and the view's currency. */
    public LeaseRules rulesFor(Pool pool) {
        int me = settings.index();
        return new LeaseRules(ip -> shares.addressOwner(pool, ip) == me, settings.mclt(), liveness::viewCurrent);
    }

    /** The lease view has been read to its end once: requests may be answered. */
    public boolean loaded() {
        return liveness.loaded();
    }

    public void conflict() {
        conflicts.incrementAndGet();
    }

    public long conflicts() {
        return conflicts.get();
    }

    /** Requests left to the instance that owns them (rules 2 and 3). */
    public long deferred() {
        return gate.deferred();
    }

    public Heartbeat heartbeat(Clock clock) {
        return new Heartbeat(settings.index(), Instant.now(clock), instance);
    }
}
