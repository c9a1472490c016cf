package io.chainboot.iscsi.disk;

import static io.chainboot.iscsi.disk.Disks.block;
import static io.chainboot.iscsi.disk.Disks.goldenBlock;
import static io.chainboot.iscsi.disk.Disks.read;
import static io.chainboot.iscsi.disk.Disks.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainboot.events.BootEvent;
import io.chainboot.events.DiskEvents;
import io.chainboot.events.DiskKind;
import io.chainboot.events.EventSource;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Names;
import io.chainboot.iscsi.SwitchableMachines;
import io.chainboot.iscsi.targets.TargetRegistry;
import io.chainboot.iscsi.scsi.BlockDevice;
import io.chainboot.iscsi.scsi.FileBlockDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden images and per-machine disks with real files. */
class DiskStoreTest {
    static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("52:54:00:00:00:0b");
    static final long BLOCKS = 4096;

    @TempDir
    Path dir;
    DiskStore store;
    final List<BootEvent> events = new CopyOnWriteArrayList<>();
    Path source;

    @BeforeEach
    void setUp() throws Exception {
        store = new DiskStore(dir.resolve("images"), dir.resolve("disks"), 0, events::add,
                new EventSource("iscsi-service", "test"), "iqn.2026-01.io.chainboot");
        source = Disks.goldenImage(dir.resolve("win11.raw"), BLOCKS);
    }

    static MachineSpec spec(MacAddress mac, String image) {
        return new MachineSpec(mac, null, null, null, "sanboot", Map.of(), Map.of(),
                new MachineSpec.DiskAssignment(DiskKind.OVERLAY, image, null), null, true, null, null);
    }

    @Test
    void importCopiesChecksumsReportsProgressAndMakesTheImageReadOnly() throws Exception {
        List<Long> progress = new ArrayList<>();
        DiskStore.Image img = store.importImage("win11", source, (copied, total) -> progress.add(copied));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(source)));
        assertThat(img).isEqualTo(new DiskStore.Image("win11", BLOCKS * 512, sha, List.of()));
        assertThat(progress).isNotEmpty().last().isEqualTo(BLOCKS * 512);
        Path golden = store.imagePath("win11");
        assertThat(Files.mismatch(golden, source)).isEqualTo(-1);
        assertThat(Files.isWritable(golden) && !"root".equals(System.getProperty("user.name"))).isFalse();
        assertThat(Files.getPosixFilePermissions(golden).toString()).doesNotContain("WRITE");
        assertThatThrownBy(() -> store.importImage("win11", source, null)).hasMessageContaining("already exists");
        assertThatThrownBy(() -> store.importImage("../etc", source, null)).hasMessageContaining("invalid name");
        assertThat(store.images()).extracting(DiskStore.Image::name).containsExactly("win11");
    }

    /** A disk the target registry opened ahead of the login is closed for a restore or delete; a logged-in one is not touched. */
    @Test
    void restoreAndDeleteCloseADiskOpenedAheadButAreRefusedWhileTheMachineIsLoggedIn() throws Exception {
        store.importImage("win11", source, null);
        try (BlockDevice a = store.open(spec(A, "win11"))) {
            write(a, 100, block(100, 7), true);
        }
        store.snapshot(A, "s1");
        store.reset(A);
        SwitchableMachines machines = new SwitchableMachines();
        machines.put(spec(A, "win11"));
        String iqn = Names.targetIqn(Names.DEFAULT_IQN_PREFIX, spec(A, "win11"));
        AtomicBoolean loggedIn = new AtomicBoolean(true);
        try (TargetRegistry registry = new TargetRegistry(Names.DEFAULT_IQN_PREFIX, Optional.of("a-cluster-secret-of-some-length"),
                machines, store, List.of())) {
            registry.inSession(t -> t.equals(iqn) && loggedIn.get());
            store.guardedBy(registry);
            registry.machinesChanged(machines.all(), 64);
            assertThat(registry.openTargets()).containsExactly(iqn);

            assertThatThrownBy(() -> store.restore(A, "s1")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("logged in");
            assertThatThrownBy(() -> store.delete(A)).hasMessageContaining("logged in");
            assertThat(registry.openTargets()).as("a logged-in machine's disk stays served").containsExactly(iqn);

            loggedIn.set(false);
            store.restore(A, "s1");
            assertThat(registry.openTargets()).as("closed for the restore").isEmpty();
            registry.machinesChanged(machines.all(), 64); // the spec watch's next pass
            assertThat(registry.openTargets()).as("opened again, on the restored file").containsExactly(iqn);
            try (BlockDevice a = store.open(spec(A, "win11"))) {
                assertThat(read(a, 100, 1)).isEqualTo(block(100, 7));
            }

            assertThat(store.delete(A)).isTrue();
            assertThat(registry.openTargets()).isEmpty();
            assertThat(store.disk(A)).isEmpty();
        } finally {
            store.guardedBy(io.chainboot.iscsi.targets.DiskGuard.NONE);
        }
    }

    @Test
    void twoMachinesOverlaysSeeTheirOwnWritesResetBringsBackGoldenPromoteMakesANewImage() throws Exception {
        store.importImage("win11", source, null);
        try (BlockDevice a = store.open(spec(A, "win11")); BlockDevice b = store.open(spec(B, "win11"))) {
            assertThat(a.blocks()).isEqualTo(BLOCKS);
            write(a, 100, block(100, 1), true);
            write(b, 100, block(100, 2), true);
            assertThat(read(a, 100, 1)).isEqualTo(block(100, 1));
            assertThat(read(b, 100, 1)).isEqualTo(block(100, 2));
            assertThat(read(a, 101, 1)).isEqualTo(goldenBlock(101));
            assertThat(a.serial()).isNotEqualTo(b.serial());
        }
        assertThat(store.images().get(0).users()).containsExactly(A.toHyphenated(), B.toHyphenated());
        assertThat(events).filteredOn(e -> e instanceof DiskEvents.Created).hasSize(2);

        store.snapshot(A, "before-reset");
        store.reset(A);
        try (BlockDevice a = store.open(spec(A, "win11")); BlockDevice b = store.open(spec(B, "win11"))) {
            assertThat(read(a, 100, 1)).isEqualTo(goldenBlock(100));
            assertThat(read(b, 100, 1)).isEqualTo(block(100, 2));
        }
        assertThat(events).filteredOn(e -> e instanceof DiskEvents.Reset).first()
                .satisfies(e -> assertThat(((DiskEvents.Reset) e).image()).isEqualTo("win11"));
        try (BlockDevice a = store.open(spec(A, "win11"))) { // reset of a disk being served: in place
            write(a, 200, block(200, 3), true);
            store.reset(A);
            assertThat(read(a, 200, 1)).isEqualTo(goldenBlock(200));
            assertThatThrownBy(() -> store.restore(A, "before-reset")).hasMessageContaining("being served");
            write(a, 300, block(300, 4), false);
            assertThat(read(a, 300, 1)).isEqualTo(block(300, 4));
        }
        try (BlockDevice a = store.open(spec(A, "win11"))) {
            assertThat(read(a, 300, 1)).isEqualTo(block(300, 4));
            assertThat(read(a, 200, 1)).isEqualTo(goldenBlock(200));
        }
        store.reset(A);
        store.restore(A, "before-reset");
        try (BlockDevice a = store.open(spec(A, "win11"))) {
            assertThat(read(a, 100, 1)).isEqualTo(block(100, 1));
        }
        assertThat(store.disk(A).orElseThrow().snapshots()).containsExactly("before-reset");

        DiskStore.Image promoted = store.promote(B, "win11-b", null);
        assertThat(promoted.sizeBytes()).isEqualTo(BLOCKS * 512);
        try (FileBlockDevice g = FileBlockDevice.open(store.imagePath("win11-b"), true)) {
            assertThat(read(g, 100, 1)).isEqualTo(block(100, 2));
            assertThat(read(g, 2000, 1)).isEqualTo(goldenBlock(2000));
        }
        assertThat(events).filteredOn(e -> e instanceof DiskEvents.Promoted).singleElement()
                .satisfies(e -> assertThat(((DiskEvents.Promoted) e).newImage()).isEqualTo("win11-b"));
        // a machine on the promoted image starts from B's content
        MacAddress c = MacAddress.parse("52:54:00:00:00:0c");
        try (BlockDevice d = store.open(spec(c, "win11-b"))) {
            assertThat(read(d, 100, 1)).isEqualTo(block(100, 2));
        }
        assertThatThrownBy(() -> store.deleteImage("win11")).hasMessageContaining("used by");
        assertThat(store.delete(A)).isTrue();
        assertThat(store.disk(A)).isEmpty();
        assertThat(store.images().stream().filter(i -> i.name().equals("win11")).findFirst().orElseThrow().users())
                .containsExactly(B.toHyphenated());
    }

    @Test
    void anOverlayRefusesAGoldenImageReplacedUnderTheSameName() throws Exception {
        store.importImage("base", source, null);
        store.create(A, DiskKind.OVERLAY, "base", null);
        Files.delete(store.imagePath("base"));
        Files.delete(dir.resolve("images/base.img.sha256"));
        Path other = Disks.goldenImage(dir.resolve("other.raw"), BLOCKS);
        Files.write(other, new byte[]{9}, java.nio.file.StandardOpenOption.WRITE);
        store.importImage("base", other, null);
        assertThatThrownBy(() -> store.open(spec(A, "base"))).hasMessageContaining("was made on golden image");
    }

    @Test
    void rawDisksAreSparseFilesNamedLikeTheTargetRegistryNamesThem() throws Exception {
        DiskStore.Disk d = store.create(A, DiskKind.RAW, null, 8L << 20);
        assertThat(d.kind()).isEqualTo(DiskKind.RAW);
        assertThat(Files.size(dir.resolve("disks/52-54-00-00-00-0a.img"))).isEqualTo(8L << 20);
        MachineSpec raw = new MachineSpec(A, null, null, null, null, Map.of(), Map.of(),
                new MachineSpec.DiskAssignment(DiskKind.RAW, null, null), null, true, null, null);
        try (BlockDevice dev = store.open(raw)) {
            assertThat(dev.blocks()).isEqualTo((8L << 20) / 512);
        }
        assertThat(events).filteredOn(e -> e instanceof DiskEvents.Created).hasSize(1);
    }
}
