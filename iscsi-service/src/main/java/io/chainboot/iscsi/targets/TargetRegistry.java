package io.chainboot.iscsi.targets;

import io.chainboot.common.MachineDirectory;
import io.chainboot.events.DiskKind;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Names;
import io.chainboot.iscsi.login.LoginStatus;
import io.chainboot.iscsi.scsi.BlockDevice;
import io.chainboot.iscsi.scsi.FileBlockDevice;
import io.chainboot.iscsi.scsi.ScsiTarget;
import io.chainboot.iscsi.scsi.ScsiTargets;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which targets exist and who may log in to them: static targets from configuration, and one target
 * per machine spec with a disk, RAW or OVERLAY ({@link Names#targetIqn}), open to that machine's initiator
 * ({@link Names#initiatorIqn}) only, with its derived CHAP secret when the spec asks for CHAP.
 * Block devices are opened on first login and shared by every session to the target (so unit
 * attentions and reservations see all nexuses).
 */
public final class TargetRegistry implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TargetRegistry.class);

    /** A configured target. */
    public record StaticTarget(String iqn, Path image, List<String> initiators, Optional<Access.ChapCredentials> chap,
                               boolean readOnly) {
    }

    private final String iqnPrefix;
    private final Optional<String> clusterSecret;
    private final MachineDirectory machines;
    private final DiskOpener disks;
    private final Map<String, StaticTarget> statics;
    private final Map<String, ScsiTarget> open = new ConcurrentHashMap<>();
    private final Map<String, List<BlockDevice>> devices = new ConcurrentHashMap<>();

    public TargetRegistry(String iqnPrefix, Optional<String> clusterSecret, MachineDirectory machines, DiskOpener disks,
                          List<StaticTarget> statics) {
        this.iqnPrefix = iqnPrefix;
        this.clusterSecret = clusterSecret;
        this.machines = machines;
        this.disks = disks;
        Map<String, StaticTarget> m = new ConcurrentHashMap<>();
        statics.forEach(t -> m.put(t.iqn(), t));
        this.statics = m;
    }

    /** RAW disks: {@code <disksDir>/<image or mac-hyphenated>.img}, created sparse when the spec gives a size. */
    public static DiskOpener rawDisks(Path disksDir) {
        return spec -> {
            if (spec.disk() == null || spec.disk().kind() != DiskKind.RAW) {
                throw new IOException("only RAW disks are served (overlays come with issue 6)");
            }
            String name = spec.disk().image() != null ? spec.disk().image() : spec.mac().toHyphenated();
            if (!name.endsWith(".img")) {
                name = name + ".img";
            }
            Path image = disksDir.resolve(name).normalize();
            if (!image.startsWith(disksDir.normalize())) {
                throw new IOException("disk image escapes the disks directory: " + name);
            }
            if (!Files.exists(image)) {
                if (spec.disk().sizeBytes() == null) {
                    throw new IOException("disk image " + image + " does not exist and the spec gives no size");
                }
                Files.createDirectories(disksDir);
                FileBlockDevice.createSparse(image, spec.disk().sizeBytes());
            }
            return FileBlockDevice.open(image, false);
        };
    }

    /** The login decision (RFC 7143 §11.13.5 codes on refusal). */
    public Access access(String initiatorName, String targetName) {
        StaticTarget st = statics.get(targetName);
        if (st != null) {
            if (!st.initiators().isEmpty() && !st.initiators().contains(initiatorName)) {
                return new Access.Refused(LoginStatus.AUTHORIZATION_FAILURE,
                        "initiator " + initiatorName + " is not on the allow-list of " + targetName);
            }
            try {
                return new Access.Allowed(new Target(targetName, openStatic(st), Optional.empty()), st.chap());
            } catch (IOException | RuntimeException e) {
                return new Access.Refused(LoginStatus.TARGET_ERROR, "cannot open " + st.image() + ": " + e.getMessage());
            }
        }
        Optional<MachineSpec> spec = machineTarget(targetName);
        if (spec.isEmpty()) {
            return new Access.Refused(LoginStatus.NOT_FOUND, "no target " + targetName);
        }
        MacAddress mac = spec.get().mac();
        String allowed = Names.initiatorIqn(iqnPrefix, mac);
        if (!allowed.equals(initiatorName)) {
            return new Access.Refused(LoginStatus.AUTHORIZATION_FAILURE,
                    "target " + targetName + " belongs to " + mac + "; only " + allowed + " may log in");
        }
        Optional<Access.ChapCredentials> chap = Optional.empty();
        if (spec.get().chap().enabled()) {
            if (clusterSecret.isEmpty()) {
                return new Access.Refused(LoginStatus.TARGET_ERROR,
                        "CHAP is required for " + mac + " but chainboot.common.cluster-secret is not set");
            }
            String secret = Names.chapSecret(clusterSecret.get(), mac);
            Optional<String> mutual = spec.get().chap().mutual()
                    ? Optional.of(Names.mutualChapSecret(clusterSecret.get(), mac)) : Optional.empty();
            chap = Optional.of(new Access.ChapCredentials(allowed, secret,
                    mutual.map(m -> targetName), mutual));
        }
        try {
            return new Access.Allowed(new Target(targetName, openMachine(targetName, spec.get()), Optional.of(mac)), chap);
        } catch (IOException | RuntimeException e) {
            return new Access.Refused(LoginStatus.TARGET_ERROR, "cannot open the disk of " + mac + ": " + e.getMessage());
        }
    }

    /** Targets shown to {@code initiatorName} in SendTargets discovery: only those it may log in to. */
    public List<String> visibleTo(String initiatorName) {
        List<String> out = new ArrayList<>();
        statics.values().forEach(t -> {
            if (t.initiators().isEmpty() || t.initiators().contains(initiatorName)) {
                out.add(t.iqn());
            }
        });
        Optional<MacAddress> mac = Names.macOfInitiator(initiatorName);
        if (mac.isPresent() && Names.initiatorIqn(iqnPrefix, mac.get()).equals(initiatorName)) {
            machines.byMac(mac.get()).filter(TargetRegistry::servable)
                    .ifPresent(s -> out.add(Names.targetIqn(iqnPrefix, s)));
        }
        out.sort(String::compareTo);
        return out;
    }

    private static boolean servable(MachineSpec s) {
        return s.disk() != null; // RAW or OVERLAY: the DiskOpener knows both (io.chainboot.iscsi.disk.DiskStore)
    }

    private Optional<MachineSpec> machineTarget(String targetName) {
        if (targetName == null || !targetName.startsWith(iqnPrefix + ":")) {
            return Optional.empty();
        }
        return machines.all().stream().filter(TargetRegistry::servable)
                .filter(s -> Names.targetIqn(iqnPrefix, s).equals(targetName)).findFirst();
    }

    private ScsiTarget openStatic(StaticTarget st) throws IOException {
        ScsiTarget t = open.get(st.iqn());
        if (t != null) {
            return t;
        }
        synchronized (this) {
            t = open.get(st.iqn());
            if (t == null) {
                BlockDevice dev = FileBlockDevice.open(st.image(), st.readOnly());
                t = register(st.iqn(), List.of(dev));
            }
            return t;
        }
    }

    private ScsiTarget openMachine(String iqn, MachineSpec spec) throws IOException {
        ScsiTarget t = open.get(iqn);
        if (t != null) {
            return t;
        }
        synchronized (this) {
            t = open.get(iqn);
            if (t == null) {
                t = register(iqn, List.of(disks.open(spec)));
            }
            return t;
        }
    }

    private ScsiTarget register(String iqn, List<BlockDevice> luns) {
        ScsiTarget t = ScsiTargets.of(iqn, luns);
        devices.put(iqn, luns);
        open.put(iqn, t);
        LOG.infof("target %s opened with %d LUN(s): %s", iqn, luns.size(), luns);
        return t;
    }

    /** Flushes and closes every open block device. */
    @Override
    public synchronized void close() {
        devices.forEach((iqn, luns) -> luns.forEach(d -> {
            try {
                d.flush();
                d.close();
            } catch (Exception e) {
                LOG.warnf("closing %s of %s: %s", d, iqn, e.getMessage());
            }
        }));
        devices.clear();
        open.clear();
    }
}
