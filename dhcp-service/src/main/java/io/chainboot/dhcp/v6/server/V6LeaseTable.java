package io.chainboot.dhcp.v6.server;

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
 * Not thread-safe: the one receive thread of {@link Dhcpv6Server} uses it.
 */
public final class V6LeaseTable {
    /** One binding: who, which address, until when, and whether it was only offered. */
    public record Binding(String duid, long iaid, Inet6Address address, Instant expiry, boolean bound) {
        public Binding {
            Objects.requireNonNull(duid);
            Objects.requireNonNull(address);
            Objects.requireNonNull(expiry);
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

    /** Request/Renew/Rebind: the client's address, bound for {@code leaseTime}; empty when the pool is used up. */
    public Optional<Inet6Address> bind(byte[] duid, long iaid, Instant now, Duration leaseTime) {
        Inet6Address a = find(duid, iaid, now).map(Binding::address).or(() -> free(now)).orElse(null);
        if (a == null) {
            return Optional.empty();
        }
        put(new Binding(duidText(duid), iaid, a, now.plus(leaseTime), true));
        changed = true;
        return Optional.of(a);
    }

    /** Release: the binding ends at once. */
    public void release(byte[] duid, long iaid) {
        Binding b = byClient.remove(Binding.key(duidText(duid), iaid));
        if (b != null) {
            byAddress.remove(b.address());
            changed |= b.bound();
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
        }
        byAddress.put(b.address(), b.key());
    }
}
