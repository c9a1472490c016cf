package io.chainboot.inventory.machines;

import io.chainboot.events.Decoded;
import io.chainboot.events.DiskKind;
import io.chainboot.events.MachineSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MachinesFileTest {
    @TempDir
    Path dir;

    @Test
    void parsesDeclaredMachines() throws Exception {
        Path f = dir.resolve("machines.yaml");
        Files.writeString(f, """
                machines:
                  - mac: 52-54-00-AA-BB-01
                    hostname: ws01
                    profile: sanboot
                    reservedIp: 10.0.0.51
                    labels: {room: lab1}
                    disk: {kind: OVERLAY, image: win11}
                    chap: {enabled: true, mutual: false}
                  - mac: 52:54:00:aa:bb:02
                    netboot: false
                """);
        List<MachineSpec> specs = MachinesFile.parse(f, Instant.EPOCH).orElseThrow();
        assertThat(specs).hasSize(2);
        MachineSpec ws01 = specs.get(0);
        assertThat(ws01.mac().toString()).isEqualTo("52:54:00:aa:bb:01");
        assertThat(ws01.hostname()).isEqualTo("ws01");
        assertThat(ws01.reservedIp().toString()).isEqualTo("10.0.0.51");
        assertThat(ws01.labels()).containsEntry("room", "lab1");
        assertThat(ws01.disk().kind()).isEqualTo(DiskKind.OVERLAY);
        assertThat(ws01.chap().enabled()).isTrue();
        assertThat(specs.get(1).netboot()).isFalse();
    }

    @Test
    void namesTheBadEntry() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "machines:\n  - mac: 52:54:00:aa:bb:01\n  - mac: 52:54:00:aa:bb:02\n    hostname: -bad-\n");
        Decoded<List<MachineSpec>> d = MachinesFile.parse(f, Instant.EPOCH);
        assertThat(d).isInstanceOf(Decoded.Invalid.class);
        assertThat(((Decoded.Invalid<List<MachineSpec>>) d).reason()).startsWith("machine #2").contains("hostname");
    }
}
