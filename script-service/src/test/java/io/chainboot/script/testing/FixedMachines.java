package io.chainboot.script.testing;

import io.chainboot.common.MachineDirectory;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A machine directory holding exactly the machines a test puts in it. */
@Alternative
@Priority(1)
@ApplicationScoped
public class FixedMachines implements MachineDirectory {
    private final Map<MacAddress, MachineSpec> machines = new ConcurrentHashMap<>();
    private volatile boolean loaded = true;

    public void put(MachineSpec spec) {
        machines.put(spec.mac(), spec);
    }

    public void clear() {
        machines.clear();
        loaded = true;
    }

    /** A view still reading chainboot.machines ({@code false}) or done ({@code true}, the default). */
    public void setLoaded(boolean loaded) {
        this.loaded = loaded;
    }

    @Override
    public boolean loaded() {
        return loaded;
    }

    @Override
    public Optional<MachineSpec> byMac(MacAddress mac) {
        return Optional.ofNullable(machines.get(mac));
    }

    @Override
    public Optional<MachineSpec> byUuid(String uuid) {
        return machines.values().stream().filter(m -> m.uuid() != null && m.uuid().equalsIgnoreCase(uuid)).findFirst();
    }

    @Override
    public Collection<MachineSpec> all() {
        return List.copyOf(machines.values());
    }
}
