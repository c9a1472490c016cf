package io.chainboot.inventory.machines;

import io.chainboot.events.DiskKind;
import io.chainboot.events.EventJson;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MachineSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Pure: what would make a machine's spec fail at boot, or break the services that carry it,
 * checked when the spec is given (API and machines file) — each problem names its field.
 * What the checks need to know comes in a {@link Known}; a part that could not be learned
 * (script-service or iscsi-service not answering, no subnet configured) is {@code Optional.empty()}
 * and that check is skipped — the caller decides whether that is acceptable.
 */
public final class MachineChecks {
    /** Largest spec (its JSON on chainboot.machines): far below Kafka's 1 MB record limit. */
    public static final int MAX_SPEC_BYTES = 16 * 1024;
    public static final int MAX_ENTRIES = 64;
    public static final long MAX_DISK_BYTES = 16L << 40;
    private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");

    private MachineChecks() {
    }

    /** One problem: the field at fault ({@code disk.image}, {@code labels.room}) and why. */
    public record FieldProblem(String field, String detail) {
        @Override
        public String toString() {
            return field + ": " + detail;
        }
    }

    /** An IPv4 subnet, e.g. the DHCP pool's {@code 10.77.0.0/24}. */
    public record Subnet(Ipv4Address network, int prefix) {
        public static Subnet parse(String cidr) {
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("not a CIDR subnet (a.b.c.d/n): '" + cidr + "'");
            }
            int prefix = Integer.parseInt(cidr.substring(slash + 1));
            if (prefix < 0 || prefix > 32) {
                throw new IllegalArgumentException("prefix length out of 0-32: '" + cidr + "'");
            }
            Ipv4Address a = Ipv4Address.parse(cidr.substring(0, slash));
            return new Subnet(new Ipv4Address(a.value() & mask(prefix)), prefix);
        }

        static int mask(int prefix) {
            return prefix == 0 ? 0 : -1 << (32 - prefix);
        }

        public boolean contains(Ipv4Address ip) {
            return (ip.value() & mask(prefix)) == network.value();
        }

        public Ipv4Address broadcast() {
            return new Ipv4Address(network.value() | ~mask(prefix));
        }

        @Override
        public String toString() {
            return network + "/" + prefix;
        }
    }

    /**
     * What the checks compare against: profile names script-service has loaded, golden images
     * iscsi-service holds, the subnet reserved addresses must be in, and the addresses other
     * machines have reserved (IP → MAC).
     */
    public record Known(Optional<Set<String>> profiles, Optional<Set<String>> images, Optional<Subnet> subnet,
                        Map<String, String> reserved) {
    }

    public static List<FieldProblem> check(MachineSpec spec, Known known) {
        List<FieldProblem> out = new ArrayList<>();
        if ((spec.mac().value() & 0x0100_0000_0000L) != 0) {
            out.add(new FieldProblem("mac", spec.mac() + " is a group address (multicast or broadcast): no NIC has it"));
        } else if (spec.mac().value() == 0) {
            out.add(new FieldProblem("mac", "00:00:00:00:00:00 is not a NIC's address"));
        }
        if (spec.uuid() != null) {
            try {
                UUID.fromString(spec.uuid());
            } catch (IllegalArgumentException e) {
                out.add(new FieldProblem("uuid", "'" + spec.uuid() + "' is not a UUID"));
            }
        }
        if (spec.profile() != null && known.profiles().isPresent() && !known.profiles().get().contains(spec.profile())) {
            out.add(new FieldProblem("profile", "no profile '" + spec.profile() + "' (loaded: "
                    + String.join(", ", known.profiles().get().stream().sorted().toList()) + ")"));
        }
        if (spec.disk() != null) {
            MachineSpec.DiskAssignment d = spec.disk();
            if (d.image() != null && (!IMAGE.matcher(d.image()).matches() || d.image().contains(".."))) {
                out.add(new FieldProblem("disk.image", "'" + d.image() + "' is not an image name: letters, digits, '.', '_', '-', at most 100"));
            } else if (d.kind() == DiskKind.OVERLAY && d.image() == null) {
                out.add(new FieldProblem("disk.image", "an OVERLAY disk needs its golden image"));
            } else if (d.kind() == DiskKind.OVERLAY && known.images().isPresent()
                    && !known.images().get().contains(d.image().endsWith(".img") ? d.image().substring(0, d.image().length() - 4) : d.image())) {
                out.add(new FieldProblem("disk.image", "no golden image '" + d.image() + "' (import it first: POST /api/images/{name})"));
            }
            if (d.sizeBytes() != null && (d.sizeBytes() <= 0 || d.sizeBytes() % 512 != 0 || d.sizeBytes() > MAX_DISK_BYTES)) {
                out.add(new FieldProblem("disk.sizeBytes", d.sizeBytes() + " is not a positive multiple of 512 of at most 16 TiB"));
            }
        }
        if (spec.reservedIp() != null) {
            Ipv4Address ip = spec.reservedIp();
            if (known.subnet().isPresent() && !known.subnet().get().contains(ip)) {
                out.add(new FieldProblem("reservedIp", ip + " is outside the pool's subnet " + known.subnet().get()));
            } else if (known.subnet().isPresent() && (ip.equals(known.subnet().get().network()) || ip.equals(known.subnet().get().broadcast()))) {
                out.add(new FieldProblem("reservedIp", ip + " is the network or broadcast address of " + known.subnet().get()));
            } else if (ip.isAny() || ip.equals(Ipv4Address.BROADCAST) || (ip.unsigned() >>> 28) >= 14 || (ip.unsigned() >>> 24) == 127) {
                out.add(new FieldProblem("reservedIp", ip + " cannot be a host's address"));
            }
            String other = known.reserved().get(ip.toString());
            if (other != null && !other.equals(spec.mac().toString())) {
                out.add(new FieldProblem("reservedIp", ip + " is already reserved by " + other));
            }
        }
        entries(out, "labels", spec.labels(), 253);
        entries(out, "params", spec.params(), 4096);
        if (spec.bootFile() != null && (spec.bootFile().isBlank() || spec.bootFile().length() > 255)) {
            out.add(new FieldProblem("bootFile", "must be 1-255 characters"));
        }
        if (out.isEmpty() && EventJson.encode(spec).length > MAX_SPEC_BYTES) {
            out.add(new FieldProblem("spec", "the spec is " + EventJson.encode(spec).length + " bytes of JSON; the limit is " + MAX_SPEC_BYTES));
        }
        return out;
    }

    private static void entries(List<FieldProblem> out, String field, Map<String, String> m, int maxValue) {
        if (m.size() > MAX_ENTRIES) {
            out.add(new FieldProblem(field, m.size() + " entries; at most " + MAX_ENTRIES));
            return;
        }
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (!KEY.matcher(e.getKey()).matches()) {
                out.add(new FieldProblem(field, "key '" + abbreviate(e.getKey()) + "': 1-63 letters, digits, '.', '_', '/', '-'"));
            } else if (e.getValue() == null || e.getValue().length() > maxValue) {
                out.add(new FieldProblem(field + "." + e.getKey(), "value must be a string of at most " + maxValue + " characters"));
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
