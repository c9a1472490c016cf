package io.chainboot.dhcp;

import io.chainboot.common.MachineDirectory;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A machine directory holding exactly the specs given. */
public final class FixedMachines implements MachineDirectory {
    private final Map<MacAddress, MachineSpec> specs = new LinkedHashMap<>();

    public FixedMachines(MachineSpec... specs) {
        for (MachineSpec s : specs) {
            this.specs.put(s.mac(), s);
        }
    }

    @Override
    public Optional<MachineSpec> byMac(MacAddress mac) {
        return Optional.ofNullable(specs.get(mac));
    }

    @Override
    public Optional<MachineSpec> byUuid(String uuid) {
        return specs.values().stream().filter(s -> uuid.equalsIgnoreCase(s.uuid())).findFirst();
    }

    @Override
    public Collection<MachineSpec> all() {
        return specs.values();
    }
}
