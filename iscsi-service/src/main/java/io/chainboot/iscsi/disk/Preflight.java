package io.chainboot.iscsi.disk;

import io.chainboot.events.DiskKind;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Names;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a user can run before a machine boots from its disk, for the pitfalls that otherwise show
 * up as Windows' INACCESSIBLE_BOOT_DEVICE or a silent iPXE "could not open SAN device": the disk
 * is LUN 0 of the machine's own target, has 512-byte blocks, CHAP is set up the way the script
 * will log in, the golden image is there and intact, and the overlay has room left.
 */
public final class Preflight {
    /** Below this much free overlay space a WARN is given. */
    static final long LOW_SPACE_BYTES = 1L << 30;

    public enum Status { PASS, WARN, FAIL }

    public record Check(String name, Status status, String detail) {
    }

    public record Report(String mac, String targetIqn, Status status, List<Check> checks) {
    }

    private Preflight() {
    }

    /** Runs every check; {@code spec} empty = the machine is unknown. */
    public static Report run(DiskStore store, String mac, Optional<MachineSpec> spec, String iqnPrefix,
                             Optional<String> clusterSecret) {
        List<Check> checks = new ArrayList<>();
        String iqn = null;
        if (spec.isEmpty()) {
            checks.add(new Check("machine", Status.FAIL, "no machine spec for " + mac + " in chainboot.machines"));
            return report(mac, null, checks);
        }
        MachineSpec s = spec.get();
        iqn = Names.targetIqn(iqnPrefix, s);
        if (s.disk() == null) {
            checks.add(new Check("disk-assignment", Status.FAIL, "the machine spec has no disk assignment"));
            return report(mac, iqn, checks);
        }
        checks.add(new Check("disk-assignment", Status.PASS, s.disk().kind() + " " + s.disk().image()));
        checks.add(new Check("lun-0", Status.PASS, "the disk is LUN 0 of " + iqn
                + " (initiator " + Names.initiatorIqn(iqnPrefix, s.mac()) + " only)"));
        // CHAP: the script logs in with Names.chapSecret(cluster-secret, mac); the target checks the same
        if (s.chap().enabled()) {
            if (clusterSecret.isEmpty() || clusterSecret.get().isBlank()) {
                checks.add(new Check("chap", Status.FAIL, "CHAP is required by the spec but chainboot.common.cluster-secret"
                        + " is not set: no secret can be derived, every login will be refused"));
            } else {
                String secret;
                try {
                    secret = Names.chapSecret(clusterSecret.get(), s.mac());
                } catch (IllegalArgumentException e) {
                    checks.add(new Check("chap", Status.FAIL, "chainboot.common.cluster-secret: " + e.getMessage()));
                    secret = null;
                }
                if (secret != null) {
                boolean ok = secret.length() >= 12 && secret.length() <= 16;
                checks.add(new Check("chap", ok ? Status.PASS : Status.WARN, (s.chap().mutual() ? "mutual " : "")
                        + "CHAP with the derived secret (" + secret.length() + " characters"
                        + (ok ? "" : "; Windows' initiator wants 12 to 16") + ")"));
                }
            }
        } else {
            checks.add(new Check("chap", Status.WARN, "no CHAP: any host presenting the machine's initiator IQN may log in"));
        }
        try {
            diskChecks(store, s, checks);
        } catch (IOException | RuntimeException e) {
            checks.add(new Check("disk", Status.FAIL, e.getMessage()));
        }
        return report(mac, iqn, checks);
    }

    private static void diskChecks(DiskStore store, MachineSpec s, List<Check> checks) throws IOException {
        if (s.disk().kind() == DiskKind.OVERLAY) {
            String image = s.disk().image();
            if (image == null) {
                checks.add(new Check("golden-image", Status.FAIL, "an OVERLAY disk needs a golden image name"));
                return;
            }
            Optional<DiskStore.Image> img = store.image(image);
            if (img.isEmpty()) {
                checks.add(new Check("golden-image", Status.FAIL, "golden image '" + image + "' is not imported"));
                return;
            }
            checks.add(new Check("golden-image", img.get().sha256() == null ? Status.WARN : Status.PASS,
                    img.get().name() + ", " + img.get().sizeBytes() + " bytes, sha256 " + img.get().sha256()));
            Path ovl = store.overlayPath(s.mac());
            if (!Files.exists(ovl)) {
                checks.add(new Check("overlay", Status.PASS, "no overlay yet: created on the first login"));
                checks.add(new Check("block-size", Status.PASS, "512 bytes"));
                return;
            }
            try (OverlayBlockDevice d = OverlayBlockDevice.open(ovl,
                    io.chainboot.iscsi.scsi.FileBlockDevice.open(store.imagePath(image), true),
                    store.goldenId(img.get().name()), store.overlayLimitBytes(), "preflight", true)) {
                checks.add(new Check("block-size", d.blockSize() == 512 ? Status.PASS : Status.FAIL, d.blockSize() + " bytes"));
                long free = d.freeBytes();
                if (free == Long.MAX_VALUE) {
                    checks.add(new Check("overlay-space", Status.PASS, d.usedBytes() + " bytes used, no limit"));
                } else {
                    checks.add(new Check("overlay-space", free == 0 ? Status.FAIL : free < LOW_SPACE_BYTES ? Status.WARN
                            : Status.PASS, d.usedBytes() + " bytes used, " + free + " bytes left"));
                }
            }
        } else {
            Path raw = store.rawPath(s.mac(), s.disk().image());
            if (!Files.exists(raw)) {
                checks.add(new Check("raw-disk", s.disk().sizeBytes() == null ? Status.FAIL : Status.PASS,
                        s.disk().sizeBytes() == null ? raw.getFileName() + " does not exist and the spec gives no size"
                                : "created on the first login"));
                return;
            }
            long size = Files.size(raw);
            checks.add(new Check("block-size", size % 512 == 0 ? Status.PASS : Status.WARN,
                    "512 bytes" + (size % 512 == 0 ? "" : "; the last " + size % 512 + " bytes of the file are not served")));
        }
    }

    private static Report report(String mac, String iqn, List<Check> checks) {
        Status worst = Status.PASS;
        for (Check c : checks) {
            if (c.status().ordinal() > worst.ordinal()) {
                worst = c.status();
            }
        }
        return new Report(mac, iqn, worst, List.copyOf(checks));
    }
}
