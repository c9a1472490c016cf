package io.chainboot.events;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a machine should boot: the value on the compacted {@link Topics#MACHINES} topic, keyed by
 * MAC. Published by inventory-service; dhcp, script and iscsi services keep it in memory.
 *
 * @param mac        the machine (the key)
 * @param uuid       SMBIOS UUID (DHCP option 97), may be null
 * @param hostname   DNS label, may be null
 * @param reservedIp fixed address for full-mode DHCP, may be null
 * @param profile    name of the script profile; null = the default profile
 * @param labels     free-form selectors (room, rack…); never null
 * @param params     profile parameters (kernel, cmdline, menu items…); never null
 * @param disk       the iSCSI disk assignment, or null for none
 * @param chap       CHAP policy for that disk; secrets are derived, never stored ({@link Names#chapSecret})
 * @param netboot    false = DHCP gives an address but no boot file (boot from local disk)
 * @param bootFile   overrides the boot file/URL the DHCP decision table would choose, may be null
 * @param updatedAt  when the spec last changed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MachineSpec(MacAddress mac, String uuid, String hostname, Ipv4Address reservedIp, String profile,
                          Map<String, String> labels, Map<String, String> params, DiskAssignment disk,
                          ChapPolicy chap, boolean netboot, String bootFile, Instant updatedAt) {

    public MachineSpec {
        Objects.requireNonNull(mac, "mac");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        params = params == null ? Map.of() : Map.copyOf(params);
        chap = chap == null ? ChapPolicy.NONE : chap;
        if (hostname != null && !Names.isValidHostname(hostname)) {
            throw new IllegalArgumentException("invalid hostname '" + hostname
                    + "': use letters, digits and '-', 1-63 characters, not starting or ending with '-'");
        }
    }

    /** A freshly seen machine: default profile, network boot on, nothing else known. */
    public static MachineSpec discovered(MacAddress mac, String uuid, Instant now) {
        return new MachineSpec(mac, uuid, null, null, null, Map.of(), Map.of(), null, ChapPolicy.NONE, true, null, now);
    }

    /** A machine's iSCSI disk. {@code image} is the golden image (OVERLAY) or the raw image name (RAW). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DiskAssignment(DiskKind kind, String image, Long sizeBytes) {
        public DiskAssignment {
            Objects.requireNonNull(kind, "kind");
        }
    }

    /** Whether logins to the machine's disk need CHAP, and mutual CHAP (the target proves itself too). */
    public record ChapPolicy(boolean enabled, boolean mutual) {
        public static final ChapPolicy NONE = new ChapPolicy(false, false);

        public ChapPolicy {
            if (mutual && !enabled) {
                throw new IllegalArgumentException("mutual CHAP needs CHAP enabled");
            }
        }
    }
}
