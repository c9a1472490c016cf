package io.chainboot.common;

import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;

import java.util.Collection;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The machine specs a service holds, indexed by MAC, UUID and reserved address, each index kept
 * up to date by every change instead of rebuilt from all specs: one writer (the machines topic's
 * reader), any number of readers. A lookup costs the same with 10 machines or 100,000, and
 * nothing is copied when a reader walks {@link #all()}.
 */
public final class MachineIndex {
    private final Map<MacAddress, MachineSpec> byMac = new ConcurrentHashMap<>();
    private final Map<String, MacAddress> byUuid = new ConcurrentHashMap<>();
    private final Map<Ipv4Address, MacAddress> byReservedIp = new ConcurrentHashMap<>();
    private final Collection<MachineSpec> all = Collections.unmodifiableCollection(byMac.values());
    private volatile long changes;

    /** The machine's spec arrived or changed. */
    public void put(MachineSpec spec) {
        MachineSpec before = byMac.put(spec.mac(), spec);
        unindex(before, spec);
        if (spec.uuid() != null) {
            byUuid.put(uuidKey(spec.uuid()), spec.mac());
        }
        if (spec.reservedIp() != null) {
            byReservedIp.put(spec.reservedIp(), spec.mac());
        }
        changes++;
    }

    /** The machine's spec was deleted. */
    public void remove(MacAddress mac) {
        MachineSpec before = byMac.remove(mac);
        if (before != null) {
            unindex(before, null);
            changes++;
        }
    }

    /** Drops the index entries {@code before} had that {@code after} (null: deleted) no longer has. */
    private void unindex(MachineSpec before, MachineSpec after) {
        if (before == null) {
            return;
        }
        if (before.uuid() != null && (after == null || !uuidKey(before.uuid()).equals(uuidKey(after.uuid())))) {
            byUuid.remove(uuidKey(before.uuid()), before.mac());
        }
        if (before.reservedIp() != null && (after == null || !before.reservedIp().equals(after.reservedIp()))) {
            byReservedIp.remove(before.reservedIp(), before.mac());
        }
    }

    private static String uuidKey(String uuid) {
        return uuid == null ? "" : uuid.toLowerCase(Locale.ROOT);
    }

    public Optional<MachineSpec> byMac(MacAddress mac) {
        return Optional.ofNullable(byMac.get(mac));
    }

    /** Case-insensitive; the last spec to claim a UUID holds it. */
    public Optional<MachineSpec> byUuid(String uuid) {
        if (uuid == null) {
            return Optional.empty();
        }
        MacAddress mac = byUuid.get(uuidKey(uuid));
        return mac == null ? Optional.empty() : byMac(mac);
    }

    /** The machine whose spec reserves {@code ip}; the last spec to reserve it holds it. */
    public Optional<MacAddress> reservedBy(Ipv4Address ip) {
        return Optional.ofNullable(byReservedIp.get(ip));
    }

    /** Every spec, live (weakly consistent while specs change), not a copy. */
    public Collection<MachineSpec> all() {
        return all;
    }

    public int size() {
        return byMac.size();
    }

    /** Grows with every change: a reader that saw the same number has nothing new to look at. */
    public long changes() {
        return changes;
    }
}
