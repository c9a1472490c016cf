package io.chainboot.iscsi.disk;

import io.chainboot.iscsi.scsi.BlockDevice;
import io.chainboot.iscsi.scsi.FileBlockDevice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Test helpers: patterned golden images and block I/O with byte arrays. */
final class Disks {
    private Disks() {
    }

    /** The golden pattern: every byte of block {@code lba} derived from the LBA. */
    static byte goldenByte(long lba, int i) {
        return (byte) (lba * 31 + i * 7 + 1);
    }

    static byte[] goldenBlock(long lba) {
        byte[] b = new byte[512];
        for (int i = 0; i < 512; i++) {
            b[i] = goldenByte(lba, i);
        }
        return b;
    }

    /** A block written by a test: derived from the LBA and a tag. */
    static byte[] block(long lba, int tag) {
        byte[] b = new byte[512];
        for (int i = 0; i < 512; i++) {
            b[i] = (byte) (lba * 13 + tag * 101 + i);
        }
        b[0] = (byte) tag;
        return b;
    }

    static Path goldenImage(Path file, long blocks) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocate(512 * 2048);
            for (long lba = 0; lba < blocks; ) {
                buf.clear();
                int n = (int) Math.min(2048, blocks - lba);
                for (int i = 0; i < n; i++) {
                    buf.put(goldenBlock(lba + i));
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    ch.write(buf, lba * 512 + buf.position());
                }
                lba += n;
            }
        }
        return file;
    }

    static FileBlockDevice openGolden(Path file) throws IOException {
        return FileBlockDevice.open(file, true, "golden");
    }

    static byte[] read(BlockDevice d, long lba, int count) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(count * 512);
        d.read(lba, count, b);
        return b.array();
    }

    static void write(BlockDevice d, long lba, byte[] data, boolean fua) throws IOException {
        d.write(lba, data.length / 512, ByteBuffer.wrap(data), fua);
    }

    static byte[] blocks(long lba, int count, int tag) {
        byte[] out = new byte[count * 512];
        for (int i = 0; i < count; i++) {
            System.arraycopy(block(lba + i, tag), 0, out, i * 512, 512);
        }
        return out;
    }
}
