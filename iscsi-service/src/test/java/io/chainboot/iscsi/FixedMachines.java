package io.chainboot.iscsi;

import io.chainboot.common.MachineDirectory;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** A machine directory holding a fixed list of specs. */
public final class FixedMachines implements MachineDirectory {
    private final List<MachineSpec> specs;

    public FixedMachines(MachineSpec... specs) {
        this.specs = List.of(specs);
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
        return specs;
    }
}
