package io.chainboot.inventory.machines;

import io.chainboot.events.DiskKind;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;

import java.time.Instant;
import java.util.Map;

/**
 * The writable part of a machine, as the REST API and the machines file take it. {@code mac} is
 * required in the file and in POST; PUT takes it from the path.
 */
public record MachineRequest(String mac, String uuid, String hostname, String reservedIp, String profile,
                             Map<String, String> labels, Map<String, String> params, Disk disk, Chap chap,
                             Boolean netboot, String bootFile) {

    public record Disk(DiskKind kind, String image, Long sizeBytes) {
    }

    public record Chap(boolean enabled, boolean mutual) {
    }

    /** The request that describes {@code spec} (what PATCH merges its changes onto). */
    public static MachineRequest of(MachineSpec spec) {
        return new MachineRequest(spec.mac().toString(), spec.uuid(), spec.hostname(),
                spec.reservedIp() == null ? null : spec.reservedIp().toString(), spec.profile(), spec.labels(), spec.params(),
                spec.disk() == null ? null : new Disk(spec.disk().kind(), spec.disk().image(), spec.disk().sizeBytes()),
                spec.chap().enabled() ? new Chap(spec.chap().enabled(), spec.chap().mutual()) : null, spec.netboot(),
                spec.bootFile());
    }

    /** The spec this request describes; IllegalArgumentException (→ 400) on a bad MAC, IP, hostname... */
    public MachineSpec toSpec(MacAddress mac, Instant now) {
        return new MachineSpec(mac, uuid, hostname, reservedIp == null || reservedIp.isBlank() ? null : Ipv4Address.parse(reservedIp),
                profile, labels, params,
                disk == null ? null : new MachineSpec.DiskAssignment(disk.kind(), disk.image(), disk.sizeBytes()),
                chap == null ? MachineSpec.ChapPolicy.NONE : new MachineSpec.ChapPolicy(chap.enabled(), chap.mutual()),
                netboot == null || netboot, bootFile, now);
    }
}
