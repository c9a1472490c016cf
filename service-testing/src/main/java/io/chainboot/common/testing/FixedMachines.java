package io.chainboot.common.testing;

import io.chainboot.common.MachineDirectory;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The machine view in tests, for every service: the specs a test gives or puts (one per MAC, in
 * the order first given), thread-safe, loaded unless the test says the view is still reading the
 * machines topic. Not a CDI bean: a module whose {@code @QuarkusTest}s need one subclasses it as an
 * {@code @Alternative}.
 */
public class FixedMachines implements MachineDirectory {
    private final Map<MacAddress, MachineSpec> specs = new LinkedHashMap<>();
    private volatile boolean loaded = true;

    public FixedMachines(MachineSpec... specs) {
        for (MachineSpec s : specs) {
            put(s);
        }
    }

    /** The machine's spec arrives or changes. */
    public synchronized void put(MachineSpec spec) {
        specs.put(spec.mac(), spec);
    }

    /** The machine's spec is deleted (a tombstone on the machines topic). */
    public synchronized void remove(MacAddress mac) {
        specs.remove(mac);
    }

    /** No machines, and the view loaded. */
    public synchronized void clear() {
        specs.clear();
        loaded = true;
    }

    /** Whether the view has read the machines topic to its end ({@code false}: the service is starting). */
    public void loaded(boolean loaded) {
        this.loaded = loaded;
    }

    @Override
    public boolean loaded() {
        return loaded;
    }

    @Override
    public synchronized Optional<MachineSpec> byMac(MacAddress mac) {
        return Optional.ofNullable(specs.get(mac));
    }

    @Override
    public synchronized Optional<MachineSpec> byUuid(String uuid) {
        return uuid == null ? Optional.empty()
                : specs.values().stream().filter(s -> uuid.equalsIgnoreCase(s.uuid())).findFirst();
    }

    @Override
    public synchronized Collection<MachineSpec> all() {
        return List.copyOf(specs.values());
    }
}
