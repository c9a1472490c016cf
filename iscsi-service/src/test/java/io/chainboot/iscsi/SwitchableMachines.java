package io.chainboot.iscsi;

import io.chainboot.common.MachineDirectory;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** The machines view in tests: empty until a test puts specs in it. */
@Alternative
@Priority(1)
@ApplicationScoped
public class SwitchableMachines implements MachineDirectory {
    private final List<MachineSpec> specs = new CopyOnWriteArrayList<>();
    private volatile boolean loaded = true;

    /** Whether the view has read the machines topic to its end (the service starting: not yet). */
    public void loaded(boolean loaded) {
        this.loaded = loaded;
    }

    @Override
    public boolean loaded() {
        return loaded;
    }

    public void put(MachineSpec spec) {
        specs.removeIf(s -> s.mac().equals(spec.mac()));
        specs.add(spec);
    }

    /** The machine's spec is deleted (a tombstone on the machines topic). */
    public void remove(MacAddress mac) {
        specs.removeIf(s -> s.mac().equals(mac));
    }

    @Override
    public Optional<MachineSpec> byMac(MacAddress mac) {
        return specs.stream().filter(s -> s.mac().equals(mac)).findFirst();
    }

    @Override
    public Optional<MachineSpec> byUuid(String uuid) {
        return specs.stream().filter(s -> uuid != null && uuid.equalsIgnoreCase(s.uuid())).findFirst();
    }

    @Override
    public Collection<MachineSpec> all() {
        return List.copyOf(specs);
    }
}
