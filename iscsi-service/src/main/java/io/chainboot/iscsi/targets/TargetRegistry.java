package io.chainboot.iscsi.targets;

import io.chainboot.common.MachineDirectory;
import io.chainboot.events.DiskKind;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Names;
import io.chainboot.iscsi.disk.DiskStore;
import io.chainboot.iscsi.login.LoginStatus;
import io.chainboot.iscsi.scsi.BlockDevice;
import io.chainboot.iscsi.scsi.FileBlockDevice;
import io.chainboot.iscsi.scsi.ScsiTarget;
import io.chainboot.iscsi.scsi.ScsiTargets;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Which targets exist and who may log in to them: static targets from configuration, and one target
 * per machine spec with a disk, RAW or OVERLAY ({@link Names#targetIqn}), open to that machine's initiator
 * ({@link Names#initiatorIqn}) only, with its derived CHAP secret when the spec asks for CHAP.
 * Block devices are shared by every session to the target (so unit attentions and reservations see
 * all nexuses). Configured targets open at start ({@link #openStatics}); a machine's disk opens when
 * its spec arrives ({@link #machinesChanged}) and closes when the spec goes away or names another
 * disk, so a booting machine never waits for a file to be created or opened; a login opens a disk
 * that is not open yet.
 */
public final class TargetRegistry implements DiskGuard, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TargetRegistry.class);
    /** How much of LUN 0 is read when a disk is opened ahead of its first login. */
    private static final int PREFETCH_BYTES = 64 * 1024;

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
    /** The machine disks that are open, by MAC, with the target IQN and disk assignment they were opened for. */
    private final Map<MacAddress, MachineDisk> machineDisks = new ConcurrentHashMap<>();
    /** Specs whose disk could not be opened when they arrived: not retried until the spec changes (a login still tries). */
    private final Map<MacAddress, MachineSpec> failed = new ConcurrentHashMap<>();
    /** Machine target IQN -> MAC, refreshed on every {@link #machinesChanged} (a login falls back to a scan). */
    private volatile Map<String, MacAddress> byIqn = Map.of();
    private volatile Consumer<String> closing = iqn -> { };
    private volatile Predicate<String> inSession = iqn -> false;
    private volatile boolean quiet;

    private record MachineDisk(String iqn, MachineSpec.DiskAssignment disk) {
        boolean servesFor(String targetIqn, MachineSpec spec) {
            return iqn.equals(targetIqn) && Objects.equals(disk, spec.disk());
        }
    }

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

    /**
     * RAW disks only, named as {@link DiskStore#rawPath(Path, MacAddress, String)} names them, created
     * sparse when the spec gives a size (the service itself opens disks through {@link DiskStore},
     * which also serves overlays).
     */
    public static DiskOpener rawDisks(Path disksDir) {
        return spec -> {
            if (spec.disk() == null || spec.disk().kind() != DiskKind.RAW) {
                throw new IOException("this opener serves RAW disks only (overlays are opened by DiskStore)");
            }
            Path image = DiskStore.rawPath(disksDir, spec.mac(), spec.disk().image());
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
            if (!machines.loaded()) { // its spec may be on the machines topic, not yet read
                return new Access.Refused(LoginStatus.SERVICE_UNAVAILABLE,
                        "no target " + targetName + " yet: the machine view is still loading");
            }
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
            return new Access.Allowed(new Target(targetName, machineTarget(targetName, spec.get()), Optional.of(mac)), chap);
        } catch (IOException | RuntimeException e) {
            return new Access.Refused(LoginStatus.TARGET_ERROR, "cannot open the disk of " + mac + ": " + e.getMessage());
        }
    }

    /** Whether the machine view is loaded: before that, an unknown machine target may yet appear. */
    public boolean machinesLoaded() {
        return machines.loaded();
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
        MacAddress indexed = byIqn.get(targetName);
        if (indexed != null) {
            Optional<MachineSpec> spec = machines.byMac(indexed)
                    .filter(s -> servable(s) && Names.targetIqn(iqnPrefix, s).equals(targetName));
            if (spec.isPresent()) {
                return spec;
            }
        }
        return machines.all().stream().filter(TargetRegistry::servable)
                .filter(s -> Names.targetIqn(iqnPrefix, s).equals(targetName)).findFirst();
    }

    /**
     * Called with every machine spec whenever the machines view may have changed: opens the disk of
     * each machine whose spec arrived (at most {@code openMax} machine disks open this way; beyond
     * that they open at their first login), and closes the disk of each machine whose spec was
     * deleted, lost its disk, or now names another target IQN or disk (its sessions are ended first,
     * through the {@link #onClosing} callback). A disk that cannot be opened is logged and not
     * retried until its spec changes; a login still tries it and is refused with 0x0300 if it fails.
     */
    public synchronized void machinesChanged(Collection<MachineSpec> specs, int openMax) {
        Map<MacAddress, MachineSpec> wanted = new HashMap<>();
        Map<String, MacAddress> index = new HashMap<>();
        for (MachineSpec s : specs) {
            if (servable(s)) {
                wanted.put(s.mac(), s);
                index.putIfAbsent(Names.targetIqn(iqnPrefix, s), s.mac());
            }
        }
        byIqn = Map.copyOf(index);
        for (Map.Entry<MacAddress, MachineDisk> e : List.copyOf(machineDisks.entrySet())) {
            MachineSpec s = wanted.get(e.getKey());
            if (s == null) {
                closeMachine(e.getKey(), "its machine spec was deleted or has no disk");
            } else if (!e.getValue().servesFor(Names.targetIqn(iqnPrefix, s), s)) {
                closeMachine(e.getKey(), "its machine spec now names another target or disk");
            }
        }
        failed.entrySet().removeIf(f -> !f.getValue().equals(wanted.get(f.getKey())));
        for (MachineSpec s : wanted.values()) {
            if (machineDisks.containsKey(s.mac()) || failed.containsKey(s.mac()) || machineDisks.size() >= openMax) {
                continue;
            }
            String iqn = Names.targetIqn(iqnPrefix, s);
            if (statics.containsKey(iqn) || !s.mac().equals(index.get(iqn))) {
                LOG.warnf("mac=%s target %s is also another machine's or a configured target: not opened", s.mac(), iqn);
                failed.put(s.mac(), s);
                continue;
            }
            try {
                openMachine(iqn, s);
                prefetch(iqn);
            } catch (IOException | RuntimeException e) {
                failed.put(s.mac(), s);
                LOG.warnf("mac=%s cannot open the disk of target %s (a login will try again): %s", s.mac(), iqn,
                        e.getMessage());
            }
        }
    }

    /** Opens every configured target's image now (a failure is logged; a login tries again). */
    public void openStatics() {
        for (StaticTarget st : statics.values()) {
            try {
                openStatic(st);
                prefetch(st.iqn());
            } catch (IOException | RuntimeException e) {
                LOG.warnf("cannot open %s of target %s (a login will try again): %s", st.image(), st.iqn(), e.getMessage());
            }
        }
    }

    /** No log lines about targets opening (the start-up warm-up's throwaway registry). */
    public TargetRegistry quiet() {
        quiet = true;
        return this;
    }

    /** Told the IQN of a target just before its block devices are closed (to end its sessions). */
    public void onClosing(Consumer<String> endSessions) {
        this.closing = endSessions;
    }

    /** Told a target IQN, answers whether an initiator is logged in to it (not counting discovery). */
    public void inSession(Predicate<String> loggedIn) {
        this.inSession = loggedIn;
    }

    /**
     * Runs {@code change} with the machine's disk closed, under the registry's lock, so the spec watch
     * cannot reopen the old file halfway; its next pass opens the changed one. A disk opened ahead of
     * a login is closed first; while an initiator is logged in the change is refused.
     */
    @Override
    public synchronized <T> T whileClosed(MacAddress mac, DiskGuard.Change<T> change) throws IOException {
        MachineDisk d = machineDisks.get(mac);
        if (d != null) {
            if (inSession.test(d.iqn())) {
                throw new IllegalStateException("machine " + mac + " is logged in to " + d.iqn()
                        + ": shut it down (or log it out) before changing its disk");
            }
            closeMachine(mac, "its disk files are being changed");
        }
        return change.run();
    }

    /** The IQNs of the targets whose block devices are open. */
    public Set<String> openTargets() {
        return Set.copyOf(open.keySet());
    }

    /** Reads the first blocks of LUN 0 (boot sector, partition table), so the first READ finds them in the page cache. */
    private void prefetch(String iqn) {
        List<BlockDevice> luns = devices.get(iqn);
        if (luns == null || luns.isEmpty()) {
            return;
        }
        BlockDevice d = luns.get(0);
        int count = (int) Math.min(d.blocks(), PREFETCH_BYTES / d.blockSize());
        if (count <= 0) {
            return;
        }
        try {
            d.read(0, count, ByteBuffer.allocate(count * d.blockSize()));
        } catch (IOException | RuntimeException e) {
            LOG.debugf("prefetch of %s failed: %s", iqn, e.getMessage());
        }
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
                t = register(st.iqn(), List.of(dev), null);
            }
            return t;
        }
    }

    /** The open target of a machine that may log in now: opened if it is not (yet), reopened if its spec changed. */
    private ScsiTarget machineTarget(String iqn, MachineSpec spec) throws IOException {
        ScsiTarget t = open.get(iqn);
        MachineDisk d = machineDisks.get(spec.mac());
        if (t != null && d != null && d.servesFor(iqn, spec)) {
            return t;
        }
        synchronized (this) {
            d = machineDisks.get(spec.mac());
            if (d != null && !d.servesFor(iqn, spec)) {
                closeMachine(spec.mac(), "its machine spec now names another target or disk");
            }
            return openMachine(iqn, spec);
        }
    }

    private synchronized ScsiTarget openMachine(String iqn, MachineSpec spec) throws IOException {
        ScsiTarget t = open.get(iqn);
        if (t == null) {
            t = register(iqn, List.of(disks.open(spec)), spec.mac());
            machineDisks.put(spec.mac(), new MachineDisk(iqn, spec.disk()));
        }
        return t;
    }

    /** Ends the sessions of a machine's target (through {@link #onClosing}), then flushes and closes its disk. */
    private synchronized void closeMachine(MacAddress mac, String why) {
        MachineDisk d = machineDisks.remove(mac);
        if (d == null) {
            return;
        }
        open.remove(d.iqn());
        List<BlockDevice> luns = devices.remove(d.iqn());
        try {
            closing.accept(d.iqn());
        } catch (RuntimeException e) {
            LOG.warnf(e, "mac=%s ending the sessions of %s", mac, d.iqn());
        }
        if (luns != null) {
            luns.forEach(dev -> closeDevice(d.iqn(), dev));
        }
        LOG.infof("mac=%s disk of target %s closed: %s", mac, d.iqn(), why);
    }

    private static void closeDevice(String iqn, BlockDevice d) {
        try {
            d.flush();
            d.close();
        } catch (Exception e) {
            LOG.warnf("closing %s of %s: %s", d, iqn, e.getMessage());
        }
    }

    private ScsiTarget register(String iqn, List<BlockDevice> luns, MacAddress mac) throws IOException {
        ScsiTarget t;
        try {
            t = ScsiTargets.of(iqn, luns);
        } catch (java.io.UncheckedIOException e) { // its persistent reservations could not be read
            luns.forEach(dev -> closeDevice(iqn, dev));
            throw e.getCause();
        }
        devices.put(iqn, luns);
        open.put(iqn, t);
        if (!quiet) {
            LOG.infof("mac=%s target %s opened with %d LUN(s): %s", mac == null ? "-" : mac, iqn, luns.size(), luns);
        }
        return t;
    }

    /** Flushes and closes every open block device. */
    @Override
    public synchronized void close() {
        devices.forEach((iqn, luns) -> luns.forEach(d -> closeDevice(iqn, d)));
        devices.clear();
        open.clear();
        machineDisks.clear();
    }
}
