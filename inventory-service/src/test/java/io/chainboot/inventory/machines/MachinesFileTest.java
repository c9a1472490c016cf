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

    @Test
    void reportsEveryProblemOnItsOwnLineTyposIncluded() throws Exception {
        Path f = dir.resolve("typos.yaml");
        Files.writeString(f, """
                machines:
                  - mac: 52:54:00:aa:bb:01
                    hostnme: ws01
                  - mac: 52:54:00:aa:bb:02
                  - mac: 52:54:00:aa:bb:02
                  - hostname: nomac
                colour: blue
                """);
        Decoded<List<MachineSpec>> d = MachinesFile.parse(f, Instant.EPOCH);
        assertThat(((Decoded.Invalid<List<MachineSpec>>) d).reason().lines().toList()).containsExactly(
                "unknown top-level field 'colour' (known: machines)",
                "machine #1: hostnme: unknown field",
                "machine #3 (52:54:00:aa:bb:02): mac: already declared by machine #2",
                "machine #4 has no mac");
    }

    @Test
    void checksWhatWouldFailAtBootOneLinePerProblem() throws Exception {
        Path f = dir.resolve("checks.yaml");
        Files.writeString(f, """
                machines:
                  - {mac: 52:54:00:aa:bb:01, profile: sanbot, reservedIp: 10.0.1.5}
                  - {mac: 01:00:5e:00:00:01, disk: {kind: OVERLAY, image: win12}}
                  - {mac: 52:54:00:aa:bb:03, reservedIp: 10.0.0.7}
                  - {mac: 52:54:00:aa:bb:04, reservedIp: 10.0.0.7, disk: {kind: RAW, image: ../../etc/passwd}}
                  - {mac: 52:54:00:aa:bb:05, reservedIp: 10.0.0.9}
                """);
        List<MachineSpec> specs = MachinesFile.parse(f, Instant.EPOCH).orElseThrow();
        MachineChecks.Known known = new MachineChecks.Known(java.util.Optional.of(java.util.Set.of("sanboot", "menu")),
                java.util.Optional.of(java.util.Set.of("win11")), java.util.Optional.of(MachineChecks.Subnet.parse("10.0.0.0/24")),
                java.util.Map.of("10.0.0.9", "52:54:00:ff:00:01", "10.0.0.3", "52:54:00:aa:bb:03"));
        assertThat(MachinesFile.problems(specs, known)).containsExactly(
                "machine #1 (52:54:00:aa:bb:01): profile: no profile 'sanbot' (loaded: menu, sanboot)",
                "machine #1 (52:54:00:aa:bb:01): reservedIp: 10.0.1.5 is outside the pool's subnet 10.0.0.0/24",
                "machine #2 (01:00:5e:00:00:01): mac: 01:00:5e:00:00:01 is a group address (multicast or broadcast): no NIC has it",
                "machine #2 (01:00:5e:00:00:01): disk.image: no golden image 'win12' (import it first: POST /api/images/{name})",
                "machine #4 (52:54:00:aa:bb:04): disk.image: '../../etc/passwd' is not an image name: letters, digits, '.', '_', '-', at most 100",
                "machine #4 (52:54:00:aa:bb:04): reservedIp: 10.0.0.7 is already reserved by 52:54:00:aa:bb:03",
                "machine #5 (52:54:00:aa:bb:05): reservedIp: 10.0.0.9 is already reserved by 52:54:00:ff:00:01");
    }
}
