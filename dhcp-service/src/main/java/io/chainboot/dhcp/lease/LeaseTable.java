package io.chainboot.dhcp.lease;

import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The full-mode lease state machine of RFC 2131 §4.3 over one {@link Pool}: addresses are
 * offered (held briefly), bound, declined (quarantined, §4.3.3), released (§4.3.4) or expire.
 * Every change to a BOUND/DECLINED/FREE state is journaled before it is acted on, so a restart
 * never hands an address to a second machine. Thread-safe (one lock; the work per call is small).
 *
 * <p>{@code reservations} maps an address to the machine whose spec reserves it: a reserved
 * address is never offered to anyone else.
 */
public final class LeaseTable implements AutoCloseable {
    private final Pool pool;
    private final Map<Ipv4Address, LeaseEntry> byIp;
    private final Map<MacAddress, Ipv4Address> byMac = new HashMap<>();
    private final LeaseJournal journal;
    private final Function<Ipv4Address, Optional<MacAddress>> reservations;
    private final LeaseRules rules;
    /** HA: per address, the last record read back from {@code chainboot.leases} (the durable state, rule 4). */
    private final Map<Ipv4Address, LeaseEntry> durable = new HashMap<>();
    /**
     * HA: the entry an OFFERED hold replaced (an ended binding of some client); put back when the hold
     * is dropped, so the address keeps its history (rule 5) instead of looking never used.
     */
    private final Map<Ipv4Address, LeaseEntry> underOffer = new HashMap<>();
    private int cursor;
    /**
     * No entry that is not FREE expires before this (it may lie earlier than the earliest such entry,
     * never later): {@link #expire} returns at once before it instead of scanning the whole table under
     * the lock the receive thread needs (every 5 s, 60,000 entries in a storm).
     */
    private Instant noExpiryBefore = Instant.MIN;

    public LeaseTable(Pool pool, Path stateDir, boolean fsync, Function<Ipv4Address, Optional<MacAddress>> reservations)
            throws IOException {
        this(pool, stateDir, fsync, reservations, LeaseRules.SINGLE);
    }

    /** A table whose pool is shared with other instances under {@code rules} (docs/dhcp-ha.md). */
    public LeaseTable(Pool pool, Path stateDir, boolean fsync, Function<Ipv4Address, Optional<MacAddress>> reservations,
                      LeaseRules rules) throws IOException {
        this.pool = Objects.requireNonNull(pool);
        this.reservations = reservations;
        this.rules = Objects.requireNonNull(rules);
        this.byIp = LeaseJournal.newTable();
        this.journal = LeaseJournal.open(stateDir, fsync, byIp);
        byIp.values().forEach(e -> byMac.put(e.mac(), e.ip()));
    }

    public Pool pool() {
        return pool;
    }

    public LeaseRules rules() {
        return rules;
    }

    /**
     * DHCPDISCOVER (§4.3.1): picks an address for {@code mac} and holds it for {@code hold}.
     * Preference: the reserved address; the client's current or last address; the requested one
     * (option 50) if free; a never-used address; the longest-free one. Empty when none is free.
     */
    public synchronized Optional<Ipv4Address> offer(MacAddress mac, Optional<Ipv4Address> reserved,
                                                   Optional<Ipv4Address> requested, Instant now, Duration hold) {
        Ipv4Address ip = reserved.filter(pool::inSubnet).filter(a -> available(a, mac, now))
                .or(() -> Optional.ofNullable(byMac.get(mac)).filter(pool::inRange).filter(a -> mayGive(a, mac, now))
                        .filter(a -> available(a, mac, now)))
                .or(() -> requested.filter(pool::inRange).filter(rules.ownShare()).filter(a -> available(a, mac, now)))
                .or(() -> fresh(mac, now))
                .or(() -> oldestFree(mac, now))
                .orElse(null);
        if (ip == null) {
            return Optional.empty();
        }
        LeaseEntry cur = byIp.get(ip);
        if (cur == null || !(cur.state() == LeaseEntry.State.BOUND && cur.mac().equals(mac) && cur.heldAt(now))) {
            Instant until = now.plus(hold);
            if (rules.shared() && cur != null && cur.state() != LeaseEntry.State.OFFERED) {
                underOffer.put(ip, cur);
            }
            put(new LeaseEntry(ip, mac, until, LeaseEntry.State.OFFERED, cur != null ? cur.hostname() : null), false);
        }
        return Optional.of(ip);
    }

    /**
     * DHCPREQUEST (§4.3.2, all client states): binds {@code ip} to {@code mac} for {@code leaseTime}
     * when the address is ours (pool range, or reserved for this machine) and not held by another.
     */
    public synchronized Allocation commit(MacAddress mac, Ipv4Address ip, boolean reservedForMac, Duration leaseTime,
                                          String hostname, Instant now) {
        if (!pool.inRange(ip) && !(reservedForMac && pool.inSubnet(ip))) {
            return new Allocation.Refused(ip, "address not in pool " + pool.start() + "-" + pool.end());
        }
        if (!available(ip, mac, now)) {
            LeaseEntry e = byIp.get(ip);
            return new Allocation.Refused(ip, e != null && e.state() == LeaseEntry.State.DECLINED
                    ? "address quarantined after a DHCPDECLINE" : "address held by another client");
        }
        Instant until = now.plus(leaseTime);
        Instant granted = until;
        if (rules.shared()) {
            LeaseEntry e = byIp.get(ip);
            boolean own = rules.ownShare().test(ip) || reservedForMac;
            if (!own && !namesClient(e, mac)) {
                return new Allocation.Refused(ip, "address of another instance's share");
            }
            granted = grantLimit(ip, mac, until, now, own);
            if (!granted.isAfter(now)) {
                return new Allocation.Refused(ip, "the binding of another instance's address ended more than the MCLT ago");
            }
        }
        LeaseEntry entry = new LeaseEntry(ip, mac, until, LeaseEntry.State.BOUND, hostname);
        Ipv4Address old = byMac.get(mac);
        if (old != null && !old.equals(ip)) {
            LeaseEntry o = byIp.get(old);
            if (o != null && o.mac().equals(mac) && o.state() != LeaseEntry.State.DECLINED) {
                put(new LeaseEntry(old, mac, now, LeaseEntry.State.FREE, o.hostname()), o.state() != LeaseEntry.State.OFFERED);
            }
        }
        put(entry, true);
        return new Allocation.Bound(entry, granted);
    }

    /** The client chose another server's offer (§4.3.2 SELECTING with a foreign server id): drop our hold. */
    public synchronized void cancelOffer(MacAddress mac) {
        Ipv4Address ip = byMac.get(mac);
        LeaseEntry e = ip == null ? null : byIp.get(ip);
        if (e != null && e.state() == LeaseEntry.State.OFFERED) {
            dropOffer(e);
        }
    }

    /** Removes an OFFERED hold; HA: puts back the entry it replaced. */
    private void dropOffer(LeaseEntry e) {
        byIp.remove(e.ip());
        if (e.ip().equals(byMac.get(e.mac()))) {
            byMac.remove(e.mac());
        }
        LeaseEntry prev = underOffer.remove(e.ip());
        if (prev != null) {
            byIp.put(prev.ip(), prev);
            track(prev);
            byMac.putIfAbsent(prev.mac(), prev.ip());
        }
    }

    /** DHCPDECLINE (§4.3.3): the address is in use by someone else; quarantine it. */
    public synchronized Optional<LeaseEntry> decline(MacAddress mac, Ipv4Address ip, Duration quarantine, Instant now) {
        LeaseEntry e = byIp.get(ip);
        if (e == null || !e.mac().equals(mac) || !pool.inSubnet(ip)) {
            return Optional.empty();
        }
        LeaseEntry q = new LeaseEntry(ip, mac, now.plus(quarantine), LeaseEntry.State.DECLINED, null);
        put(q, true);
        byMac.remove(mac);
        return Optional.of(q);
    }

    /** DHCPRELEASE (§4.3.4): the client gives {@code ip} back. Returns the ended lease. */
    public synchronized Optional<LeaseEntry> release(MacAddress mac, Ipv4Address ip, Instant now) {
        LeaseEntry e = byIp.get(ip);
        if (e == null || !e.mac().equals(mac) || e.state() != LeaseEntry.State.BOUND) {
            return Optional.empty();
        }
        put(new LeaseEntry(ip, mac, now, LeaseEntry.State.FREE, e.hostname()), true);
        return Optional.of(e);
    }

    /** The client's binding if it holds one at {@code now}. */
    public synchronized Optional<LeaseEntry> bindingOf(MacAddress mac, Instant now) {
        Ipv4Address ip = byMac.get(mac);
        LeaseEntry e = ip == null ? null : byIp.get(ip);
        return e != null && e.state() == LeaseEntry.State.BOUND && e.heldAt(now) ? Optional.of(e) : Optional.empty();
    }

    public synchronized Optional<LeaseEntry> entry(Ipv4Address ip) {
        return Optional.ofNullable(byIp.get(ip));
    }

    /** Ends leases and holds whose time is up; returns the bound leases that expired (for tombstones). */
    public synchronized List<Lease> expire(Instant now) {
        if (now.isBefore(noExpiryBefore)) {
            return List.of();
        }
        List<Lease> ended = new ArrayList<>();
        Instant next = Instant.MAX;
        noExpiryBefore = Instant.MAX; // lowered by track() for any entry the scan puts back (dropOffer, HA)
        for (LeaseEntry e : new ArrayList<>(byIp.values())) {
            if (e.state() != LeaseEntry.State.FREE && now.isBefore(e.expiresAt()) && e.expiresAt().isBefore(next)) {
                next = e.expiresAt();
            }
            if (e.state() == LeaseEntry.State.FREE || now.isBefore(e.expiresAt())) {
                continue;
            }
            if (e.state() == LeaseEntry.State.OFFERED) {
                dropOffer(e);
                continue;
            }
            if (e.state() == LeaseEntry.State.BOUND) {
                ended.add(e.toLease());
            }
            put(new LeaseEntry(e.ip(), e.mac(), e.expiresAt(), LeaseEntry.State.FREE, e.hostname()), true);
        }
        noExpiryBefore = minOf(noExpiryBefore, next);
        return ended;
    }

    private static Instant minOf(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** Keeps {@link #noExpiryBefore} a lower bound of every non-FREE entry's expiry. */
    private void track(LeaseEntry e) {
        if (e.state() != LeaseEntry.State.FREE && e.expiresAt().isBefore(noExpiryBefore)) {
            noExpiryBefore = e.expiresAt();
        }
    }

    /** How many bound leases are active at {@code now} (the gauge; counts without building the list). */
    public synchronized int activeCount(Instant now) {
        int n = 0;
        for (LeaseEntry e : byIp.values()) {
            if (e.state() == LeaseEntry.State.BOUND && e.heldAt(now)) {
                n++;
            }
        }
        return n;
    }

    /** Active bound leases (for publishing the lease table). */
    public synchronized List<Lease> activeLeases(Instant now) {
        return byIp.values().stream().filter(e -> e.state() == LeaseEntry.State.BOUND && e.heldAt(now))
                .map(LeaseEntry::toLease).toList();
    }

    private boolean available(Ipv4Address ip, MacAddress mac, Instant now) {
        Optional<MacAddress> owner = reservations.apply(ip);
        if (owner.isPresent() && !owner.get().equals(mac)) {
            return false;
        }
        LeaseEntry e = byIp.get(ip);
        if (e == null || e.heldAt(now) && e.mac().equals(mac) && e.state() != LeaseEntry.State.DECLINED) {
            return true;
        }
        if (e.heldAt(now)) {
            return false;
        }
        // rule 5 (HA): another client's address only after its expiry + MCLT, and only with a current view
        return !rules.shared() || e.mac().equals(mac) && e.state() != LeaseEntry.State.DECLINED
                || rules.viewCurrent().test(now) && !now.isBefore(e.expiresAt().plus(rules.mclt()));
    }

    /** Rule 1 (HA): the own share, or another's address whose last record names this client (an extension, rule 3). */
    private boolean mayGive(Ipv4Address ip, MacAddress mac, Instant now) {
        return rules.ownShare().test(ip) || namesClient(byIp.get(ip), mac);
    }

    /**
     * Rule 3 (HA): the entry's last holder is this client (bound, ended by expiry or release, or just
     * offered back to it; not declined). Its own address is the one address no other instance gives to anyone else before
     * that client's binding is over plus the MCLT, even if the grant that extended it never reached Kafka.
     */
    public static boolean namesClient(LeaseEntry e, MacAddress mac) {
        return e != null && e.mac().equals(mac) && e.state() != LeaseEntry.State.DECLINED;
    }

    /**
     * Rule 4 (MCLT): a grant ends no later than the last (potential) expiry of this client's binding
     * read back from Kafka (in the own share: now, when there is none or it has passed) plus the MCLT.
     * For another instance's address that bound holds even when that expiry has passed, since the
     * owner may reuse the address from then on; no durable record naming the client: no grant. The table entry and the published
     * record carry the potential expiry, now + lease time (ISC failover's "potential expiration
     * time"), so once that record is back the next renewal gets the whole lease time.
     */
    private Instant grantLimit(Ipv4Address ip, MacAddress mac, Instant wanted, Instant now, boolean ownShare) {
        LeaseEntry d = durable.get(ip);
        boolean same = d != null && d.mac().equals(mac);
        Instant base;
        if (ownShare) { // our own share: an ended binding is a new one (only we allocate here)
            base = same && d.expiresAt().isAfter(now) ? d.expiresAt() : now;
        } else if (same) { // another's: never past its owner's last durable expiry + MCLT (the owner reuses no earlier)
            base = d.expiresAt();
        } else {
            return now; // nothing durable names this client: no grant
        }
        Instant cap = base.plus(rules.mclt());
        return cap.isBefore(wanted) ? cap : wanted;
    }

    /** What {@link #observe} made of a record read from {@code chainboot.leases}. */
    public enum Observed { UNCHANGED, CHANGED, CONFLICT }

    /**
     * HA: a lease record read back from {@code chainboot.leases} (written by this instance or another).
     * It becomes the address's durable state (rule 4) and is merged into the table, the later expiry
     * winning for the same client. A record naming another client for an address this table holds
     * active is a {@link Observed#CONFLICT} (a duplicate: must never happen): in the own share this
     * table's binding is kept, in another's the record wins.
     */
    public synchronized Observed observe(Lease lease, Instant now) {
        Ipv4Address ip = lease.ip();
        LeaseEntry was = durable.get(ip);
        if (was == null || !was.mac().equals(lease.mac()) || lease.expiresAt().isAfter(was.expiresAt())) {
            // the same client's later expiry wins, as in the table (a requeued older record can arrive last)
            durable.put(ip, new LeaseEntry(ip, lease.mac(), lease.expiresAt(), LeaseEntry.State.BOUND, lease.hostname()));
        }
        LeaseEntry e = byIp.get(ip);
        boolean active = lease.isActiveAt(now);
        LeaseEntry.State state = active ? LeaseEntry.State.BOUND : LeaseEntry.State.FREE;
        if (e != null && e.mac().equals(lease.mac())) {
            if (!lease.expiresAt().isAfter(e.expiresAt()) || e.state() == LeaseEntry.State.DECLINED && e.heldAt(now)) {
                return Observed.UNCHANGED;
            }
            put(new LeaseEntry(ip, lease.mac(), lease.expiresAt(), state, lease.hostname()), true);
            return Observed.CHANGED;
        }
        if (e != null && e.heldAt(now) && e.state() != LeaseEntry.State.OFFERED) {
            if (!active) {
                return Observed.UNCHANGED; // an old record of an earlier holder
            }
            if (rules.ownShare().test(ip)) {
                return Observed.CONFLICT;
            }
            put(new LeaseEntry(ip, lease.mac(), lease.expiresAt(), state, lease.hostname()), true);
            return Observed.CONFLICT;
        }
        if (e != null && !active && !lease.expiresAt().isAfter(e.expiresAt())) {
            return Observed.UNCHANGED;
        }
        put(new LeaseEntry(ip, lease.mac(), lease.expiresAt(), state, lease.hostname()), true);
        return Observed.CHANGED;
    }

    /**
     * HA: a tombstone read from {@code chainboot.leases} (released, declined or expired where it was
     * written). Another share's binding ends; the own share keeps its binding until it ends here
     * (holding an address longer is always safe).
     */
    public synchronized Observed observeGone(Ipv4Address ip, Instant now) {
        durable.remove(ip);
        LeaseEntry e = byIp.get(ip);
        if (e == null || e.state() != LeaseEntry.State.BOUND || rules.ownShare().test(ip) || !e.heldAt(now)) {
            return Observed.UNCHANGED;
        }
        put(new LeaseEntry(ip, e.mac(), now, LeaseEntry.State.FREE, e.hostname()), true);
        return Observed.CHANGED;
    }

    private Optional<Ipv4Address> fresh(MacAddress mac, Instant now) {
        int n = pool.size();
        for (int i = 0; i < n; i++) {
            Ipv4Address ip = pool.start().plus((cursor + i) % n);
            if (!byIp.containsKey(ip) && reservations.apply(ip).map(mac::equals).orElse(true) && rules.ownShare().test(ip)) {
                cursor = (cursor + i + 1) % n;
                return Optional.of(ip);
            }
        }
        return Optional.empty();
    }

    private Optional<Ipv4Address> oldestFree(MacAddress mac, Instant now) {
        LeaseEntry best = null;
        for (LeaseEntry e : byIp.values()) {
            if (pool.inRange(e.ip()) && rules.ownShare().test(e.ip()) && available(e.ip(), mac, now)
                    && (best == null || e.expiresAt().isBefore(best.expiresAt()))) {
                best = e;
            }
        }
        return Optional.ofNullable(best).map(LeaseEntry::ip);
    }

    private void put(LeaseEntry e, boolean persist) {
        if (e.state() != LeaseEntry.State.OFFERED && !underOffer.isEmpty()) {
            underOffer.remove(e.ip());
        }
        LeaseEntry prev = byIp.put(e.ip(), e);
        track(e);
        if (prev != null && !prev.mac().equals(e.mac()) && e.ip().equals(byMac.get(prev.mac()))) {
            byMac.remove(prev.mac());
        }
        byMac.put(e.mac(), e.ip());
        if (persist) {
            journal.append(e, byIp.values());
        }
    }

    @Override
    public synchronized void close() {
        journal.close();
    }
}
