package io.chainboot.iscsi.scsi;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cost of the SCSI layer on the read/write path: READ(16)/WRITE(16) CDBs through
 * {@link ScsiTarget} into pooled direct buffers, against bare positional FileChannel I/O on the
 * same image (the floor any transport on top of this layer can reach). Run by bench/iscsi-scsi/run.sh.
 */
public final class ScsiLayerBench {
    static final Nexus N = new Nexus("iqn.bench:i", "1", "iqn.bench:t");

    public static void main(String[] args) throws Exception {
        Path img = Path.of(args[0]);
        long size = 1L << 30;
        FileBlockDevice.createSparse(img, size);
        // fill the image once so reads hit real data (page cache warm)
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            for (long p = 0; p < size; p += 1 << 20) {
                b.clear();
                while (b.hasRemaining()) {
                    b.putLong(p ^ b.position());
                }
                b.flip();
                ch.write(b, p);
            }
        }
        try (FileBlockDevice dev = FileBlockDevice.open(img, false);
                FileChannel raw = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ScsiTarget t = ScsiTargets.of("iqn.bench:t", List.of(dev));
            t.execute(new ScsiRequest(N, 0, new byte[6], null, 0)); // the power-on unit attention
            for (int round = 0; round < 2; round++) {
                boolean report = round == 1; // first round warms up the JIT
                report(report, "seq read 128KiB x16 threads", layerRead(t, 256, 16, false), rawRead(raw, 256, 16, false), 128);
                report(report, "rand read 4KiB qd1", layerRead(t, 8, 1, true), rawRead(raw, 8, 1, true), 4);
                report(report, "rand read 4KiB x16 threads", layerRead(t, 8, 16, true), rawRead(raw, 8, 16, true), 4);
                report(report, "seq write 128KiB x16 threads", layerWrite(t, 256, 16), rawWrite(raw, 256, 16), 128);
            }
        }
    }

    static void report(boolean print, String what, double layerOps, double rawOps, int kib) {
        if (print) {
            System.out.printf("%-30s layer %9.0f IOPS %7.0f MB/s | raw FileChannel %9.0f IOPS %7.0f MB/s | ratio %.2f%n",
                    what, layerOps, layerOps * kib * 1024 / 1e6, rawOps, rawOps * kib * 1024 / 1e6, layerOps / rawOps);
        }
    }

    interface Op {
        void run(int thread, long i, ByteBuffer buf) throws Exception;
    }

    static double measure(int threads, int bufBytes, Op op) throws Exception {
        long durationNs = TimeUnit.SECONDS.toNanos(3);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        Future<?>[] fs = new Future<?>[threads];
        long[] counts = new long[threads];
        for (int th = 0; th < threads; th++) {
            final int id = th;
            fs[th] = pool.submit(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(bufBytes); // the "pooled" buffer of one connection
                long n = 0;
                while (System.nanoTime() - start < durationNs) {
                    op.run(id, n, buf);
                    n++;
                }
                counts[id] = n;
                return null;
            });
        }
        long total = 0;
        for (int th = 0; th < threads; th++) {
            fs[th].get();
            total += counts[th];
        }
        pool.shutdown();
        return total / ((System.nanoTime() - start) / 1e9);
    }

    static long lbaFor(int thread, long i, int blocks, boolean random, long totalBlocks) {
        if (random) {
            return ThreadLocalRandom.current().nextLong(totalBlocks / blocks) * blocks;
        }
        long slice = totalBlocks / 16;
        return thread * slice + (i * blocks) % (slice - blocks);
    }

    static double layerRead(ScsiTarget t, int blocks, int threads, boolean random) throws Exception {
        return measure(threads, blocks * 512, (th, i, buf) -> {
            byte[] cdb = new byte[16];
            cdb[0] = (byte) 0x88;
            Cdb.put64(cdb, 2, lbaFor(th, i, blocks, random, (1L << 30) / 512));
            Cdb.put32(cdb, 10, blocks);
            ScsiResponse r = t.execute(new ScsiRequest(N, 0, cdb, null, blocks * 512), n -> {
                buf.clear();
                return buf;
            });
            if (r.status() != 0 || r.dataIn().remaining() != blocks * 512) {
                throw new IllegalStateException("read failed");
            }
        });
    }

    static double rawRead(FileChannel ch, int blocks, int threads, boolean random) throws Exception {
        return measure(threads, blocks * 512, (th, i, buf) -> {
            buf.clear();
            long pos = lbaFor(th, i, blocks, random, (1L << 30) / 512) * 512;
            while (buf.hasRemaining()) {
                pos += ch.read(buf, pos);
            }
        });
    }

    static double layerWrite(ScsiTarget t, int blocks, int threads) throws Exception {
        return measure(threads, blocks * 512, (th, i, buf) -> {
            byte[] cdb = new byte[16];
            cdb[0] = (byte) 0x8A;
            Cdb.put64(cdb, 2, lbaFor(th, i, blocks, false, (1L << 30) / 512));
            Cdb.put32(cdb, 10, blocks);
            buf.clear();
            ScsiResponse r = t.execute(new ScsiRequest(N, 0, cdb, buf, blocks * 512));
            if (r.status() != 0) {
                throw new IllegalStateException("write failed");
            }
        });
    }

    static double rawWrite(FileChannel ch, int blocks, int threads) throws Exception {
        return measure(threads, blocks * 512, (th, i, buf) -> {
            buf.clear();
            long pos = lbaFor(th, i, blocks, false, (1L << 30) / 512) * 512;
            while (buf.hasRemaining()) {
                pos += ch.write(buf, pos);
            }
        });
    }
}
