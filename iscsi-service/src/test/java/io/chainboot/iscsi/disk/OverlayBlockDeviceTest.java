package io.chainboot.iscsi.disk;

import static io.chainboot.iscsi.disk.Disks.block;
import static io.chainboot.iscsi.disk.Disks.blocks;
import static io.chainboot.iscsi.disk.Disks.goldenBlock;
import static io.chainboot.iscsi.disk.Disks.read;
import static io.chainboot.iscsi.disk.Disks.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainboot.iscsi.scsi.BlockDevice;
import io.chainboot.iscsi.scsi.FileBlockDevice;
import io.chainboot.iscsi.scsi.Nexus;
import io.chainboot.iscsi.scsi.ScsiRequest;
import io.chainboot.iscsi.scsi.ScsiResponse;
import io.chainboot.iscsi.scsi.ScsiTarget;
import io.chainboot.iscsi.scsi.ScsiTargets;
import io.chainboot.iscsi.scsi.Sense;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copy-on-write overlays over a golden image, with real files. */
class OverlayBlockDeviceTest {
    static final long GOLDEN_BLOCKS = 4096; // 2 MiB = 32 grains of 64 KiB
    static final int GRAIN = 128;

    @TempDir
    Path dir;
    Path goldenFile;

    @BeforeEach
    void golden() throws Exception {
        goldenFile = Disks.goldenImage(dir.resolve("golden.img"), GOLDEN_BLOCKS);
    }

    OverlayBlockDevice overlay(String name, long maxBytes) throws Exception {
        Path f = dir.resolve(name);
        FileBlockDevice g = Disks.openGolden(goldenFile);
        if (!Files.exists(f)) {
            OverlayBlockDevice.create(f, g, "golden@1", GOLDEN_BLOCKS, GRAIN);
        }
        return OverlayBlockDevice.open(f, g, "golden@1", maxBytes, name, true);
    }

    @Test
    void unwrittenBlocksReadTheGoldenImage() throws Exception {
        try (OverlayBlockDevice o = overlay("a.ovl", 0)) {
            assertThat(o.blocks()).isEqualTo(GOLDEN_BLOCKS);
            assertThat(o.isThin()).isTrue();
            assertThat(o.unmappedReadsZero()).isTrue();
            byte[] all = read(o, 0, (int) GOLDEN_BLOCKS);
            for (int lba = 0; lba < GOLDEN_BLOCKS; lba += 97) {
                assertThat(Arrays.copyOfRange(all, lba * 512, lba * 512 + 512)).isEqualTo(goldenBlock(lba));
            }
            assertThat(o.allocatedGrains()).isZero();
        }
    }

    @Test
    void aPartialGrainWriteKeepsTheGoldenBlocksAroundIt() throws Exception {
        try (OverlayBlockDevice o = overlay("a.ovl", 0)) {
            write(o, 130, blocks(130, 3, 7), false);
            assertThat(o.allocatedGrains()).isEqualTo(1);
            byte[] g = read(o, 128, 128);
            for (int i = 0; i < 128; i++) {
                byte[] expected = i >= 2 && i < 5 ? block(128 + i, 7) : goldenBlock(128 + i);
                assertThat(Arrays.copyOfRange(g, i * 512, i * 512 + 512)).as("block %d", 128 + i).isEqualTo(expected);
            }
            // the golden file itself is untouched
            try (FileBlockDevice gd = Disks.openGolden(goldenFile)) {
                assertThat(read(gd, 131, 1)).isEqualTo(goldenBlock(131));
            }
        }
    }

    @Test
    void aWriteAcrossGrainsReadsBackAcrossGoldenAndOverlay() throws Exception {
        try (OverlayBlockDevice o = overlay("a.ovl", 0)) {
            write(o, 120, blocks(120, 300, 3), true); // spans grains 0..3
            assertThat(o.allocatedGrains()).isEqualTo(4);
            byte[] r = read(o, 100, 400);
            for (int i = 0; i < 400; i++) {
                long lba = 100 + i;
                byte[] expected = lba >= 120 && lba < 420 ? block(lba, 3) : goldenBlock(lba);
                assertThat(Arrays.copyOfRange(r, i * 512, i * 512 + 512)).as("block %d", lba).isEqualTo(expected);
            }
        }
    }

    @Test
    void twoOverlaysOnOneGoldenImageSeeTheirOwnWritesOnly() throws Exception {
        try (OverlayBlockDevice a = overlay("a.ovl", 0); OverlayBlockDevice b = overlay("b.ovl", 0)) {
            write(a, 10, block(10, 1), true);
            write(b, 10, block(10, 2), true);
            write(b, 2000, block(2000, 2), true);
            assertThat(read(a, 10, 1)).isEqualTo(block(10, 1));
            assertThat(read(b, 10, 1)).isEqualTo(block(10, 2));
            assertThat(read(a, 2000, 1)).isEqualTo(goldenBlock(2000));
            assertThat(read(b, 2000, 1)).isEqualTo(block(2000, 2));
        }
        try (OverlayBlockDevice a = overlay("a.ovl", 0)) { // and after a reopen
            assertThat(read(a, 10, 1)).isEqualTo(block(10, 1));
            assertThat(read(a, 2000, 1)).isEqualTo(goldenBlock(2000));
        }
    }

    @Test
    void theMapReachesTheFileOnlyAfterFlushOrFua() throws Exception {
        try (OverlayBlockDevice o = overlay("a.ovl", 0)) {
            write(o, 300, block(300, 5), false);
            // a second, independent open sees what a crash now would leave: the file's own map
            try (OverlayBlockDevice crashView = OverlayBlockDevice.open(dir.resolve("a.ovl"),
                    Disks.openGolden(goldenFile), "golden@1", 0, "x", true)) {
                assertThat(read(crashView, 300, 1)).isEqualTo(goldenBlock(300));
            }
            o.flush();
            try (OverlayBlockDevice crashView = OverlayBlockDevice.open(dir.resolve("a.ovl"),
                    Disks.openGolden(goldenFile), "golden@1", 0, "x", true)) {
                assertThat(read(crashView, 300, 1)).isEqualTo(block(300, 5));
            }
            write(o, 1000, block(1000, 6), true); // FUA: durable (data and map) when it returns
            try (OverlayBlockDevice crashView = OverlayBlockDevice.open(dir.resolve("a.ovl"),
                    Disks.openGolden(goldenFile), "golden@1", 0, "x", true)) {
                assertThat(read(crashView, 1000, 1)).isEqualTo(block(1000, 6));
            }
        }
    }

    @Test
    void unmapFreesGrainsWhichReadAsZeroesAndAreReused() throws Exception {
        try (OverlayBlockDevice o = overlay("a.ovl", 0)) {
            write(o, 0, blocks(0, 512, 1), true); // grains 0..3
            assertThat(o.allocatedGrains()).isEqualTo(4);
            assertThat(o.fileSlots()).isEqualTo(4);
            o.unmap(128, 256); // grains 1 and 2 whole
            assertThat(o.allocatedGrains()).isEqualTo(2);
            assertThat(read(o, 128, 256)).isEqualTo(new byte[256 * 512]);
            assertThat(o.extentAt(128)).isEqualTo(new BlockDevice.Extent(128, 256, false));
            assertThat(o.extentAt(0)).isEqualTo(new BlockDevice.Extent(0, 128, true));
            o.unmap(1000, 1060); // grain 7 partly (zero-written: allocates), grains 8..15 whole, grain 16 partly
            assertThat(read(o, 1000, 1060)).isEqualTo(new byte[1060 * 512]);
            assertThat(read(o, 999, 1)).isEqualTo(goldenBlock(999));
            assertThat(read(o, 2060, 1)).isEqualTo(goldenBlock(2060));
            assertThat(o.allocatedGrains()).isEqualTo(4); // 0, 3, 7, 16
            o.flush(); // freed slots become reusable once the map saying so is durable
            long slots = o.fileSlots();
            write(o, 3072, blocks(3072, 256, 9), false); // grains 24, 25 take the slots of 1 and 2
            assertThat(o.fileSlots()).isEqualTo(slots); // reused, the file did not grow
            assertThat(read(o, 3072, 256)).isEqualTo(blocks(3072, 256, 9));
            assertThat(read(o, 0, 128)).isEqualTo(blocks(0, 128, 1));
        }
        try (OverlayBlockDevice o = overlay("a.ovl", 0)) {
            assertThat(read(o, 128, 256)).isEqualTo(new byte[256 * 512]);
            assertThat(read(o, 3072, 256)).isEqualTo(blocks(3072, 256, 9));
            assertThat(read(o, 384, 128)).isEqualTo(blocks(384, 128, 1));
        }
    }

    @Test
    void runningOutOfSpaceIsACleanErrorThatWritesNothing() throws Exception {
        try (OverlayBlockDevice o = overlay("a.ovl", 2L * GRAIN * 512)) {
            write(o, 0, block(0, 1), false);
            write(o, 128, block(128, 1), false);
            assertThat(o.freeBytes()).isZero();
            // spans allocated grain 1 and new grain 2: refused as a whole
            assertThatThrownBy(() -> write(o, 250, blocks(250, 10, 2), false))
                    .isInstanceOf(OverlayFullException.class).hasMessageContaining("space exhausted");
            assertThat(read(o, 250, 6)).isEqualTo(goldenRange(250, 6)); // nothing of it was written
            // rewriting allocated grains still works
            write(o, 5, block(5, 3), true);
            assertThat(read(o, 5, 1)).isEqualTo(block(5, 3));
            // freeing a grain makes room
            o.unmap(0, 128);
            write(o, 256, block(256, 4), true);
            assertThat(read(o, 256, 1)).isEqualTo(block(256, 4));
        }
    }

    static byte[] goldenRange(long lba, int n) {
        byte[] out = new byte[n * 512];
        for (int i = 0; i < n; i++) {
            System.arraycopy(goldenBlock(lba + i), 0, out, i * 512, 512);
        }
        return out;
    }

    @Test
    void aFullOverlayAnswersTheInitiatorWithCheckConditionNotAHang() throws Exception {
        try (OverlayBlockDevice o = overlay("a.ovl", GRAIN * 512L)) {
            ScsiTarget t = ScsiTargets.of("iqn.2026-01.io.chainboot:t", List.of(o));
            Nexus n = new Nexus("iqn.i", "000000000001", "iqn.2026-01.io.chainboot:t");
            byte[] w10 = {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0}; // WRITE(10) LBA 0, 1 block
            ScsiResponse ok = t.execute(new ScsiRequest(n, 0, w10, ByteBuffer.wrap(block(0, 1)), 512));
            if (ok.status() == ScsiResponse.CHECK_CONDITION && Sense.key(ok.sense()) == Sense.UNIT_ATTENTION) {
                ok = t.execute(new ScsiRequest(n, 0, w10, ByteBuffer.wrap(block(0, 1)), 512));
            }
            assertThat(ok.status()).isEqualTo(ScsiResponse.GOOD);
            w10[5] = (byte) 200; // LBA 200: grain 1, no space
            ScsiResponse full = t.execute(new ScsiRequest(n, 0, w10, ByteBuffer.wrap(block(200, 1)), 512));
            assertThat(full.status()).isEqualTo(ScsiResponse.CHECK_CONDITION);
            assertThat(Sense.key(full.sense())).isEqualTo(Sense.DATA_PROTECT);
            assertThat(Sense.ascAscq(full.sense())).isEqualTo(Sense.SPACE_ALLOCATION_FAILED_WRITE_PROTECT);
        }
    }

    @Test
    void aCorruptMapEntryIsRefusedOnOpen() throws Exception {
        try (OverlayBlockDevice o = overlay("a.ovl", 0)) {
            write(o, 0, block(0, 1), true);
        }
        Path f = dir.resolve("a.ovl");
        long raw;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, OverlayBlockDevice.HEADER_BYTES);
            raw = b.getLong(0);
            assertThat(OverlayBlockDevice.decodeEntry(raw, 0)).isNotEqualTo(OverlayBlockDevice.INVALID);
            // the same entry moved to grain 5: its check no longer matches
            b.clear();
            ch.write(b, OverlayBlockDevice.HEADER_BYTES + 5 * 8);
        }
        assertThatThrownBy(() -> overlay("a.ovl", 0)).hasMessageContaining("corrupt grain map entry for grain 5");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // a valid entry for grain 5 pointing at slot 1000, far past the end of the file
            long e = OverlayBlockDevice.encodeEntry(OverlayBlockDevice.entry(OverlayBlockDevice.ALLOCATED, 1000), 5);
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, e), OverlayBlockDevice.HEADER_BYTES + 5 * 8);
        }
        assertThatThrownBy(() -> overlay("a.ovl", 0)).hasMessageContaining("past the end");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // grain 5 claims grain 0's slot
            long e = OverlayBlockDevice.encodeEntry(OverlayBlockDevice.entry(OverlayBlockDevice.ALLOCATED, 0), 5);
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, e), OverlayBlockDevice.HEADER_BYTES + 5 * 8);
        }
        assertThatThrownBy(() -> overlay("a.ovl", 0)).hasMessageContaining("used twice");
    }

    @Test
    void anOverlayOpensOnlyOnTheGoldenImageItWasMadeOn() throws Exception {
        try (OverlayBlockDevice o = overlay("a.ovl", 0)) {
            write(o, 0, block(0, 1), true);
        }
        assertThatThrownBy(() -> OverlayBlockDevice.open(dir.resolve("a.ovl"), Disks.openGolden(goldenFile),
                "other@1", 0, "x", true)).hasMessageContaining("not 'other@1'");
        Path bad = dir.resolve("notes.txt");
        Files.writeString(bad, "hello");
        assertThatThrownBy(() -> OverlayBlockDevice.open(bad, Disks.openGolden(goldenFile), null, 0, "x", true))
                .hasMessageContaining("not an overlay");
    }

    @Test
    void randomOperationsMatchAModelAcrossReopens() throws Exception {
        Random rnd = new Random(42);
        byte[] model = goldenRange(0, (int) GOLDEN_BLOCKS);
        OverlayBlockDevice o = overlay("m.ovl", 0);
        try {
            for (int step = 0; step < 600; step++) {
                int op = rnd.nextInt(10);
                long lba = rnd.nextInt((int) GOLDEN_BLOCKS);
                int n = 1 + rnd.nextInt((int) Math.min(400, GOLDEN_BLOCKS - lba));
                if (op < 5) {
                    byte[] data = blocks(lba, n, step & 0x7F);
                    write(o, lba, data, rnd.nextBoolean());
                    System.arraycopy(data, 0, model, (int) lba * 512, data.length);
                } else if (op < 7) {
                    o.unmap(lba, n);
                    Arrays.fill(model, (int) lba * 512, (int) (lba + n) * 512, (byte) 0);
                } else if (op < 9) {
                    assertThat(read(o, lba, n)).as("step %d read %d+%d", step, lba, n)
                            .isEqualTo(Arrays.copyOfRange(model, (int) lba * 512, (int) (lba + n) * 512));
                } else {
                    o.close();
                    o = overlay("m.ovl", 0);
                }
            }
            assertThat(read(o, 0, (int) GOLDEN_BLOCKS)).isEqualTo(model);
        } finally {
            o.close();
        }
    }
}
