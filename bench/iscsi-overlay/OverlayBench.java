package io.chainboot.iscsi.disk;

import io.chainboot.iscsi.scsi.BlockDevice;
import io.chainboot.iscsi.scsi.FileBlockDevice;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

/**
 * Overlay vs raw at the BlockDevice level, on the same data, page cache warm, one thread:
 * sequential read (1 MiB requests over the whole disk) and 4 KiB random reads (fixed LBA sequence).
 * Raw = the golden image through FileBlockDevice. Overlays: "fresh" (every read falls through to
 * the golden image), "full" (every grain copied into the overlay), "mixed" (every other grain).
 * Rounds alternate raw and overlay; the median time of each case is reported.
 * Then write amplification of 4 KiB random writes into a fresh overlay.
 */
public final class OverlayBench {
    static final int ROUNDS = 7;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long bytes = Long.parseLong(args.length > 1 ? args[1] : "1073741824");
        long blocks = bytes / 512;
        Path golden = dir.resolve("golden.img");
        try (FileChannel ch = FileChannel.open(golden, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            Random r = new Random(1);
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            for (long pos = 0; pos < bytes; pos += b.capacity()) {
                r.nextBytes(b.array());
                b.clear();
                while (b.hasRemaining()) {
                    ch.write(b, pos + b.position());
                }
            }
        }
        FileBlockDevice raw = FileBlockDevice.open(golden, true, "raw");
        // the same data in a raw file written the way an overlay is filled (64 KiB writes)
        Path copy = dir.resolve("raw64k.img");
        try (FileChannel in = FileChannel.open(golden); FileChannel out = FileChannel.open(copy,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer g = ByteBuffer.allocateDirect(64 << 10);
            for (long pos = 0; pos < bytes; pos += g.capacity()) {
                g.clear();
                while (g.hasRemaining()) {
                    in.read(g, pos + g.position());
                }
                g.flip();
                while (g.hasRemaining()) {
                    out.write(g, pos + g.position());
                }
            }
            out.force(false);
        }
        FileBlockDevice raw64 = FileBlockDevice.open(copy, true, "raw64");
        OverlayBlockDevice fresh = overlay(dir, "fresh.ovl", golden, blocks);
        OverlayBlockDevice full = overlay(dir, "full.ovl", golden, blocks);
        OverlayBlockDevice mixed = overlay(dir, "mixed.ovl", golden, blocks);
        ByteBuffer grain = ByteBuffer.allocateDirect(128 * 512);
        for (long lba = 0; lba < blocks; lba += 128) {
            grain.clear();
            raw.read(lba, 128, grain);
            grain.flip();
            full.write(lba, 128, grain.duplicate(), false);
            if ((lba / 128) % 2 == 0) {
                mixed.write(lba, 128, grain.duplicate(), false);
            }
        }
        full.flush();
        mixed.flush();
        check(raw, full, blocks);
        check(raw, mixed, blocks);
        check(raw, fresh, blocks);

        long[] randomLbas = new long[200_000];
        Random r = new Random(7);
        for (int i = 0; i < randomLbas.length; i++) {
            randomLbas[i] = r.nextLong(blocks / 8) * 8;
        }
        BlockDevice[] devs = {raw, fresh, raw64, full, mixed};
        String[] names = {"raw (golden file)", "overlay fresh (all from golden)", "raw (written in 64 KiB writes)",
                "overlay full (all from overlay)", "overlay mixed (every other grain)"};
        long[][] seq = new long[devs.length][ROUNDS];
        long[][] rnd = new long[devs.length][ROUNDS];
        for (int d = 0; d < devs.length; d++) { // warm-up
            seqRead(devs[d], blocks);
            randRead(devs[d], randomLbas);
        }
        for (int round = 0; round < ROUNDS; round++) {
            for (int d = 0; d < devs.length; d++) {
                seq[d][round] = seqRead(devs[d], blocks);
                rnd[d][round] = randRead(devs[d], randomLbas);
            }
        }
        System.out.printf("disk %d MiB, %d rounds interleaved, median time%n", bytes >> 20, ROUNDS);
        System.out.printf("| case | sequential read (1 MiB requests) | ratio to raw | 4 KiB random read (%d reads) | ratio to raw |%n",
                randomLbas.length);
        System.out.println("|---|---|---|---|---|");
        double s0 = median(seq[0]);
        double r0 = median(rnd[0]);
        for (int d = 0; d < devs.length; d++) {
            double s = median(seq[d]);
            double q = median(rnd[d]);
            System.out.printf("| %s | %.0f ms (%.0f MB/s) | %.2f | %.0f ms (%.0f IOPS) | %.2f |%n", names[d], s / 1e6,
                    bytes / (s / 1e9) / 1e6, s / s0, q / 1e6, randomLbas.length / (q / 1e9), q / r0);
        }

        // write amplification: 4 KiB random writes into a fresh overlay, then the same LBAs again
        OverlayBlockDevice wa = overlay(dir, "wa.ovl", golden, blocks);
        ByteBuffer four = ByteBuffer.allocateDirect(4096);
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            four.clear();
            wa.write(randomLbas[i], 8, four, false);
        }
        wa.flush();
        long dataFirst = wa.usedBytes();
        for (int i = 0; i < n; i++) {
            four.clear();
            wa.write(randomLbas[i], 8, four, false);
        }
        wa.flush();
        System.out.printf("%nwrite amplification, %d random 4 KiB writes (%d MiB) into a fresh overlay: %d grains "
                        + "allocated, %d MiB of grain data written = %.1fx (plus 8-byte map entries at flush); "
                        + "the same writes again: 1.0x (in place, no metadata)%n",
                n, (n * 4096L) >> 20, wa.allocatedGrains(), dataFirst >> 20, dataFirst / (double) (n * 4096L));
        for (AutoCloseable c : new AutoCloseable[]{wa, mixed, full, fresh, raw, raw64}) {
            c.close();
        }
    }

    static OverlayBlockDevice overlay(Path dir, String name, Path golden, long blocks) throws Exception {
        Path f = dir.resolve(name);
        FileBlockDevice g = FileBlockDevice.open(golden, true, "golden");
        OverlayBlockDevice.create(f, g, "bench", blocks, 128);
        return OverlayBlockDevice.open(f, g, "bench", 0, name, true);
    }

    static void check(BlockDevice a, BlockDevice b, long blocks) throws Exception {
        ByteBuffer x = ByteBuffer.allocate(1 << 20);
        ByteBuffer y = ByteBuffer.allocate(1 << 20);
        for (long lba = 0; lba < blocks; lba += 2048) {
            x.clear();
            y.clear();
            a.read(lba, 2048, x);
            b.read(lba, 2048, y);
            if (!Arrays.equals(x.array(), y.array())) {
                throw new AssertionError("content differs at " + lba + " on " + b);
            }
        }
    }

    static long seqRead(BlockDevice d, long blocks) throws Exception {
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
        long t = System.nanoTime();
        for (long lba = 0; lba < blocks; lba += 2048) {
            b.clear();
            d.read(lba, 2048, b);
        }
        return System.nanoTime() - t;
    }

    static long randRead(BlockDevice d, long[] lbas) throws Exception {
        ByteBuffer b = ByteBuffer.allocateDirect(4096);
        long t = System.nanoTime();
        for (long lba : lbas) {
            b.clear();
            d.read(lba, 8, b);
        }
        return System.nanoTime() - t;
    }

    static double median(long[] v) {
        long[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
