package io.chainboot.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The raw sparse-file backing store. */
class FileBlockDeviceTest {
    @TempDir
    Path dir;

    /** Allocated bytes of a file, from {@code stat} (st_blocks is 512-byte units). */
    static long allocated(Path p) throws Exception {
        Process proc = new ProcessBuilder("stat", "-c", "%b", p.toString()).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes()).trim();
        assertThat(proc.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return Long.parseLong(out) * 512;
    }

    @Test
    void aNewImageIsSparseAndSizedInBlocks() throws Exception {
        Path img = FileBlockDevice.createSparse(dir.resolve("a.img"), 64L << 20);
        try (FileBlockDevice d = FileBlockDevice.open(img, false)) {
            assertThat(d.blocks()).isEqualTo((64L << 20) / 512);
            assertThat(d.blockSize()).isEqualTo(512);
            assertThat(d.isThin()).isTrue();
            assertThat(d.serial()).hasSize(16).isEqualTo(FileBlockDevice.open(img, true).serial());
        }
        assertThat(allocated(img)).isLessThan(1 << 20);
    }

    @Test
    void positionalWritesReadBackIntoTheCallersBufferAtItsPosition() throws Exception {
        Path img = FileBlockDevice.createSparse(dir.resolve("b.img"), 1 << 20);
        try (FileBlockDevice d = FileBlockDevice.open(img, false)) {
            ByteBuffer src = ByteBuffer.allocate(1024 + 10);
            src.position(10);
            for (int i = 10; i < src.limit(); i++) {
                src.put(i, (byte) i);
            }
            d.write(7, 2, src, true);
            assertThat(src.position()).isEqualTo(1034);
            ByteBuffer dst = ByteBuffer.allocateDirect(4096);
            dst.position(3);
            d.read(7, 2, dst);
            assertThat(dst.position()).isEqualTo(1027);
            for (int i = 0; i < 1024; i++) {
                assertThat(dst.get(3 + i)).isEqualTo((byte) (i + 10));
            }
        }
        byte[] raw = Files.readAllBytes(img);
        assertThat(raw[7 * 512]).isEqualTo((byte) 10);
    }

    @Test
    void unmapPunchesHolesForLargeRangesAndZeroesSmallOnes() throws Exception {
        Path img = FileBlockDevice.createSparse(dir.resolve("c.img"), 8 << 20);
        try (FileBlockDevice d = FileBlockDevice.open(img, false)) {
            ByteBuffer ones = ByteBuffer.allocate(4 << 20);
            while (ones.hasRemaining()) {
                ones.put((byte) 1);
            }
            d.write(0, (4 << 20) / 512, ones.flip(), true);
            long before = allocated(img);
            assertThat(before).isGreaterThanOrEqualTo(4 << 20);
            d.unmap(0, (2 << 20) / 512);   // 2 MiB: punched
            d.unmap(5000, 3);              // 1.5 KiB inside the rest: zero-filled
            d.flush();
            assertThat(allocated(img)).isLessThanOrEqualTo(before - (2 << 20));
            ByteBuffer back = ByteBuffer.allocate(4 << 20);
            d.read(0, (4 << 20) / 512, back);
            for (int i = 0; i < (4 << 20); i++) {
                boolean zero = i < (2 << 20) || (i >= 5000 * 512 && i < 5003 * 512);
                if (back.get(i) != (zero ? 0 : 1)) {
                    throw new AssertionError("byte " + i + " is " + back.get(i));
                }
            }
        }
    }

    @Test
    void aReadOnlyImageRefusesWritesAndIsNotThin() throws Exception {
        Path img = FileBlockDevice.createSparse(dir.resolve("d.img"), 1 << 20);
        try (FileBlockDevice d = FileBlockDevice.open(img, true)) {
            assertThat(d.readOnly()).isTrue();
            assertThat(d.isThin()).isFalse();
            assertThatThrownBy(() -> d.write(0, 1, ByteBuffer.allocate(512), false)).isInstanceOf(IOException.class);
            // and the target says so with DATA PROTECT
            ScsiTarget t = ScsiTargets.of("iqn.x:t", List.of(d));
            Nexus n = new Nexus("iqn.x:i", "1", "iqn.x:t");
            t.execute(new ScsiRequest(n, 0, Cdbs.of(0, 0, 0, 0, 0, 0), null, 0));
            ScsiResponse r = t.execute(new ScsiRequest(n, 0, Cdbs.rw10(0x2A, 0, 0, 1), ByteBuffer.allocate(512), 512));
            assertThat(Sense.key(r.sense())).isEqualTo(Sense.DATA_PROTECT);
        }
    }

    @Test
    void manySessionsReadAndWriteConcurrentlyWithoutMixingData() throws Exception {
        Path img = FileBlockDevice.createSparse(dir.resolve("e.img"), 16 << 20);
        try (FileBlockDevice d = FileBlockDevice.open(img, false)) {
            ScsiTarget t = ScsiTargets.of("iqn.x:t", List.of(d));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> fs = new ArrayList<>();
            for (int s = 0; s < 8; s++) {
                final int session = s;
                fs.add(pool.submit(() -> {
                    Nexus n = new Nexus("iqn.x:i" + session, "1", "iqn.x:t");
                    t.execute(new ScsiRequest(n, 0, Cdbs.of(0, 0, 0, 0, 0, 0), null, 0));
                    for (int k = 0; k < 200; k++) {
                        long lba = session * 4096L + (k % 64) * 8;
                        ByteBuffer w = Cdbs.filled(4096, session * 31 + k);
                        ScsiResponse wr = t.execute(new ScsiRequest(n, 0, Cdbs.rw10(0x2A, 0, lba, 8), w, 4096));
                        assertThat(wr.status()).isZero();
                        ScsiResponse rd = t.execute(new ScsiRequest(n, 0, Cdbs.rw10(0x28, 0, lba, 8), null, 4096),
                                ByteBuffer::allocateDirect);
                        ByteBuffer got = rd.dataIn();
                        assertThat(got.remaining()).isEqualTo(4096);
                        while (got.hasRemaining()) {
                            assertThat(got.get()).isEqualTo((byte) (session * 31 + k));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
        }
    }
}
