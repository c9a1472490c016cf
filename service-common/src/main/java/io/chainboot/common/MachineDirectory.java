package io.chainboot.common;

import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;

import java.util.Collection;
import java.util.Optional;

/** The in-memory view of {@link io.chainboot.events.Topics#MACHINES}: no lookup ever leaves the process. */
public interface MachineDirectory {
    Optional<MachineSpec> byMac(MacAddress mac);

    /** By SMBIOS UUID (DHCP option 97 / iPXE {@code ${uuid}}), case-insensitive. */
    Optional<MachineSpec> byUuid(String uuid);

    Collection<MachineSpec> all();

    /** The machine whose spec reserves {@code ip} (a scan here; indexed in the Kafka-fed view). */
    default Optional<MacAddress> reservedBy(Ipv4Address ip) {
        return all().stream().filter(s -> ip.equals(s.reservedIp())).map(MachineSpec::mac).findFirst();
    }

    /**
     * A number that grows whenever a spec arrives, changes or goes: a reader that saw the same
     * number since its last look has nothing new to look at. {@code -1}: not counted (always look).
     */
    default long changes() {
        return -1;
    }

    /**
     * Whether the view holds every machine the topic held when the service started (read to the end
     * offsets). Before that a lookup's "unknown machine" may be wrong, so no boot is decided on it.
     * Fixed views (tests) are always loaded.
     */
    default boolean loaded() {
        return true;
    }
}
