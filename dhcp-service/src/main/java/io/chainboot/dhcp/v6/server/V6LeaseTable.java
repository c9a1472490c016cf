package io.chainboot.dhcp.v6.server;

import io.chainboot.dhcp.server.Reply;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;

import java.net.Inet6Address;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The DHCPv6 leases (IA_NA addresses of {@link V6Pool}), pure: time is passed in, nothing is written here
 * ({@link V6LeaseFile} persists {@link #bound()}). A binding is keyed by (client DUID, IAID) as RFC 8415 §12
 * says; separate from the DHCPv4 lease table, which is keyed by MAC and shared between HA instances.
 *
 * <ul>
 *   <li>Solicit: {@link #offer} holds an address for the offer hold time (the binding's own address if it has one);</li>
 *   <li>Request/Renew/Rebind: {@link #bind} gives the binding the lease time ({@link #changed()} then true);</li>
 *   <li>Release: {@link #release}; an expired binding's address is free again.</li>
 * </ul>
 * What {@code chainboot.leases} must learn is collected as {@link Reply.LeaseChange}s ({@link #drainLeaseChanges()}):
 * a put for each bound lease whose MAC is known (keyed by the address), a tombstone when a bound lease is released,
 * moves to another address or is found expired. A binding whose MAC is not known publishes nothing: the services
 * that see only its address then key their events by that address.
 * Not thread-safe: the one receive thread of {@link Dhcpv6Server} uses it.
 */
public final class V6LeaseTable {
    /**
     * One binding: who, which address, until when, whether it was only offered, and the client's MAC when it is
     * known ({@link V6Events#macOf}: from its DUID-LLT/DUID-LL or its EUI-64 link-local source), else null.
     */
    public record Binding(String duid, long iaid, Inet6Address address, Instant expiry, boolean bound, MacAddress mac) {
        public Binding {
            Objects.requireNonNull(duid);
            Objects.requireNonNull(address);
            Objects.requireNonNull(expiry);
        }

        /** A binding whose MAC is not known. */
        public Binding(String duid, long iaid, Inet6Address address, Instant expiry, boolean bound) {
            this(duid, iaid, address, expiry, bound, null);
        }

        /** The {@code chainboot.leases} value of a bound binding with a known MAC. */
        Optional<Lease> lease() {
            return bound && mac != null ? Optional.of(Lease.ofIpv6(address, mac, expiry)) : Optional.empty();
        }

        String key() {
            return key(duid, iaid);
        }

        static String key(String duid, long iaid) {
            return duid + "/" + iaid;
        }
    }

    private final V6Pool pool;
    private final Map<String, Binding> byClient = new LinkedHashMap<>();
    private final Map<Inet6Address, String> byAddress = new LinkedHashMap<>();
    private final List<Reply.LeaseChange> leaseChanges = new ArrayList<>();
    private int next;
    private boolean changed;

    public V6LeaseTable(V6Pool pool, List<Binding> restored, Instant now) {
        this.pool = pool;
        for (Binding b : restored) {
            if (b.bound() && pool.contains(b.address()) && b.expiry().isAfter(now) && !byAddress.containsKey(b.address())) {
                put(b);
            }
        }
    }

    public static String duidText(byte[] duid) {
        return HexFormat.of().formatHex(duid);
    }

    /** Solicit: an address held for {@code hold} (a bound one keeps its lease); empty when the pool is used up. */
    public Optional<Inet6Address> offer(byte[] duid, long iaid, Instant now, Duration hold) {
        Optional<Binding> b = find(duid, iaid, now);
        if (b.isPresent()) {
            return Optional.of(b.get().address());
        }
        return free(now).map(a -> {
            put(new Binding(duidText(duid), iaid, a, now.plus(hold), false));
            return a;
        });
    }

    /** Request/Renew/Rebind of a client whose MAC is not known. */
    public Optional<Inet6Address> bind(byte[] duid, long iaid, Instant now, Duration leaseTime) {
        return bind(duid, iaid, now, leaseTime, null);
    }

    /**
     * Request/Renew/Rebind: the client's address, bound for {@code leaseTime}; empty when the pool is used up.
     * {@code mac} (null when unknown; then a MAC the binding already had is kept) names it on {@code chainboot.leases}.
     */
    public Optional<Inet6Address> bind(byte[] duid, long iaid, Instant now, Duration leaseTime, MacAddress mac) {
        Optional<Binding> had = find(duid, iaid, now);
        Inet6Address a = had.map(Binding::address).or(() -> free(now)).orElse(null);
        if (a == null) {
            return Optional.empty();
        }
        MacAddress known = mac != null ? mac : had.map(Binding::mac).orElse(null);
        Binding b = new Binding(duidText(duid), iaid, a, now.plus(leaseTime), true, known);
        put(b);
        b.lease().ifPresent(l -> leaseChanges.add(new Reply.LeaseChange.Put(l)));
        changed = true;
        return Optional.of(a);
    }

    /** Release: the binding ends at once. */
    public void release(byte[] duid, long iaid) {
        Binding b = byClient.remove(Binding.key(duidText(duid), iaid));
        if (b != null) {
            byAddress.remove(b.address());
            changed |= b.bound();
            gone(b);
        }
    }

    /** The lease changes since the last call, oldest first, for {@code chainboot.leases}. */
    public List<Reply.LeaseChange> drainLeaseChanges() {
        List<Reply.LeaseChange> out = List.copyOf(leaseChanges);
        leaseChanges.clear();
        return out;
    }

    /** Every bound lease whose MAC is known (the full re-publish on start). */
    public List<Lease> leases() {
        List<Lease> out = new ArrayList<>();
        for (Binding b : byClient.values()) {
            b.lease().ifPresent(out::add);
        }
        return out;
    }

    private void gone(Binding b) {
        if (b.lease().isPresent()) {
            leaseChanges.add(new Reply.LeaseChange.RemoveIpv6(b.address()));
        }
    }

    /** Whether a bound lease changed since the last call (then the caller persists {@link #bound()}). */
    public boolean changed() {
        boolean c = changed;
        changed = false;
        return c;
    }

    /** The bound (not merely offered) leases, for {@link V6LeaseFile}. */
    public List<Binding> bound() {
        List<Binding> out = new ArrayList<>();
        for (Binding b : byClient.values()) {
            if (b.bound()) {
                out.add(b);
            }
        }
        return out;
    }

    public Optional<Binding> binding(byte[] duid, long iaid) {
        return Optional.ofNullable(byClient.get(Binding.key(duidText(duid), iaid)));
    }

    private Optional<Binding> find(byte[] duid, long iaid, Instant now) {
        Binding b = byClient.get(Binding.key(duidText(duid), iaid));
        if (b == null) {
            return Optional.empty();
        }
        if (!b.expiry().isAfter(now)) {
            byClient.remove(b.key());
            byAddress.remove(b.address());
            gone(b);
            return Optional.empty();
        }
        return Optional.of(b);
    }

    /** The next address not held by an unexpired binding, searching round-robin from the last one given. */
    private Optional<Inet6Address> free(Instant now) {
        int size = pool.size();
        for (int n = 0; n < size; n++) {
            int i = (next + n) % size;
            Inet6Address a = pool.get(i);
            String holder = byAddress.get(a);
            if (holder != null) {
                Binding b = byClient.get(holder);
                if (b != null && b.expiry().isAfter(now)) {
                    continue;
                }
                byClient.remove(holder);
                byAddress.remove(a);
                if (b != null) {
                    gone(b);
                }
            }
            next = (i + 1) % size;
            return Optional.of(a);
        }
        return Optional.empty();
    }

    private void put(Binding b) {
        Binding old = byClient.put(b.key(), b);
        if (old != null && !old.address().equals(b.address())) {
            byAddress.remove(old.address());
            gone(old);
        }
        byAddress.put(b.address(), b.key());
    }
}
