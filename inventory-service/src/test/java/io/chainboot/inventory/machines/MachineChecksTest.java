package io.chainboot.inventory.machines;

import io.chainboot.events.DiskKind;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MachineChecksTest {
    static final MachineChecks.Known KNOWN = new MachineChecks.Known(Optional.of(Set.of("sanboot")), Optional.of(Set.of("win11")),
            Optional.of(MachineChecks.Subnet.parse("10.77.0.0/24")), Map.of());

    static MachineSpec spec(String mac, String ip, MachineSpec.DiskAssignment disk, Map<String, String> labels) {
        return new MachineSpec(MacAddress.parse(mac), null, null, ip == null ? null : Ipv4Address.parse(ip), "sanboot", labels,
                Map.of(), disk, null, true, null, Instant.EPOCH);
    }

    static String fields(MachineSpec s) {
        return String.join(",", MachineChecks.check(s, KNOWN).stream().map(MachineChecks.FieldProblem::field).toList());
    }

    @Test
    void aGoodSpecPasses() {
        assertThat(MachineChecks.check(spec("52:54:00:00:00:01", "10.77.0.50",
                new MachineSpec.DiskAssignment(DiskKind.OVERLAY, "win11.img", 1L << 30), Map.of("room", "lab")), KNOWN)).isEmpty();
        // nothing known: only what the spec alone shows is checked
        assertThat(MachineChecks.check(spec("52:54:00:00:00:01", "192.168.9.9",
                new MachineSpec.DiskAssignment(DiskKind.OVERLAY, "anything", null), Map.of()),
                new MachineChecks.Known(Optional.empty(), Optional.empty(), Optional.empty(), Map.of()))).isEmpty();
    }

    @Test
    void groupAndZeroMacsAddressesAndSizesAreRefused() {
        assertThat(fields(spec("ff:ff:ff:ff:ff:ff", null, null, Map.of()))).isEqualTo("mac");
        assertThat(fields(spec("33:33:00:00:00:01", null, null, Map.of()))).isEqualTo("mac");
        assertThat(fields(spec("00:00:00:00:00:00", null, null, Map.of()))).isEqualTo("mac");
        assertThat(fields(spec("52:54:00:00:00:01", "10.77.0.0", null, Map.of()))).isEqualTo("reservedIp");
        assertThat(fields(spec("52:54:00:00:00:01", "10.77.0.255", null, Map.of()))).isEqualTo("reservedIp");
        assertThat(fields(spec("52:54:00:00:00:01", "10.78.0.5", null, Map.of()))).isEqualTo("reservedIp");
        assertThat(fields(spec("52:54:00:00:00:01", null, new MachineSpec.DiskAssignment(DiskKind.RAW, "a/b", 512L), Map.of())))
                .isEqualTo("disk.image");
        assertThat(fields(spec("52:54:00:00:00:01", null, new MachineSpec.DiskAssignment(DiskKind.RAW, null, 1000L), Map.of())))
                .isEqualTo("disk.sizeBytes");
        assertThat(fields(spec("52:54:00:00:00:01", null, new MachineSpec.DiskAssignment(DiskKind.OVERLAY, null, null), Map.of())))
                .isEqualTo("disk.image");
        assertThat(fields(spec("52:54:00:00:00:01", null, null, Map.of("bad key!", "v")))).isEqualTo("labels");
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 65; i++) {
            many.put("k" + i, "v");
        }
        assertThat(fields(spec("52:54:00:00:00:01", null, null, many))).isEqualTo("labels");
    }

    @Test
    void anOversizedSpecIsRefusedAsAWhole() {
        Map<String, String> big = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            big.put("k" + i, "x".repeat(250));
        }
        MachineSpec s = new MachineSpec(MacAddress.parse("52:54:00:00:00:01"), null, null, null, "sanboot", big, big, null, null,
                true, null, Instant.EPOCH);
        assertThat(fields(s)).isEqualTo("spec");
    }
}
