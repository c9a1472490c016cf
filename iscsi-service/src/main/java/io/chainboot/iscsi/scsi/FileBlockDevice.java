package io.chainboot.iscsi.scsi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * A raw disk image (usually a sparse file) with 512-byte logical blocks, accessed with positional
 * {@link FileChannel} I/O (no shared file position, so concurrent sessions need no lock).
 *
 * <p>Durability: {@link #flush()} and FUA writes call {@link FileChannel#force(boolean)
 * force(false)} (fdatasync), so data acknowledged after SYNCHRONIZE CACHE or a FUA write survives a
 * crash of the service or the host.
 *
 * <p>Deallocation ({@link #unmap}): JDK 17 has no fallocate API, so ranges of at least
 * {@link #PUNCH_MIN_BYTES} are released by running {@code fallocate --punch-hole --keep-size}
 * (util-linux) on the file, which deallocates whole file-system blocks and zeroes partial ones;
 * smaller ranges, and any range when {@code fallocate} is missing or fails (e.g. a file system
 * without hole punching), are overwritten with zeroes instead. Either way an unmapped block reads
 * back as zeroes, so LBPRZ=1 is honest.
 */
public final class FileBlockDevice implements BlockDevice {

    public static final int BLOCK_SIZE = 512;
    /** Ranges below this are zero-filled rather than punched (spawning fallocate costs ~1 ms). */
    static final long PUNCH_MIN_BYTES = 1L << 20;
    private static final int ZERO_CHUNK = 1 << 20;
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(ZERO_CHUNK).asReadOnlyBuffer();

    private final Path image;
    private final FileChannel channel;
    private final boolean readOnly;
    private final long blocks;
    private final String serial;
    private volatile boolean punchWorks = true;

    private FileBlockDevice(Path image, FileChannel channel, boolean readOnly, long blocks, String serial) {
        this.image = image;
        this.channel = channel;
        this.readOnly = readOnly;
        this.blocks = blocks;
        this.serial = serial;
    }

    /** Opens an existing image; its size is rounded down to whole 512-byte blocks. */
    public static FileBlockDevice open(Path image, boolean readOnly) throws IOException {
        return open(image, readOnly, serialOf(image));
    }

    /** Opens an existing image with an explicit unit serial number (VPD 0x80). */
    public static FileBlockDevice open(Path image, boolean readOnly, String serial) throws IOException {
        FileChannel ch = readOnly
                ? FileChannel.open(image, StandardOpenOption.READ)
                : FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new FileBlockDevice(image, ch, readOnly, ch.size() / BLOCK_SIZE, serial);
    }

    /** Creates (or extends) a sparse image of {@code bytes} bytes; existing data is kept. */
    public static Path createSparse(Path image, long bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            if (ch.size() < bytes) {
                ch.write(ByteBuffer.allocate(1), bytes - 1); // sparse: only the last block is allocated
            }
        }
        return image;
    }

    /** A stable 16-hex-digit serial derived from the image's absolute path. */
    static String serialOf(Path image) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest(image.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path image() {
        return image;
    }

    @Override
    public long blocks() {
        return blocks;
    }

    @Override
    public int blockSize() {
        return BLOCK_SIZE;
    }

    @Override
    public String serial() {
        return serial;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public boolean isThin() {
        return !readOnly;
    }

    @Override
    public void read(long lba, int count, ByteBuffer dst) throws IOException {
        long pos = lba * BLOCK_SIZE;
        int end = dst.position() + count * BLOCK_SIZE;
        int savedLimit = dst.limit();
        dst.limit(end);
        try {
            while (dst.hasRemaining()) {
                int n = channel.read(dst, pos);
                if (n < 0) { // past EOF of a file shorter than we think: zeroes
                    while (dst.hasRemaining()) {
                        dst.put((byte) 0);
                    }
                    break;
                }
                pos += n;
            }
        } finally {
            dst.limit(savedLimit);
        }
    }

    @Override
    public void write(long lba, int count, ByteBuffer src, boolean fua) throws IOException {
        if (readOnly) {
            throw new IOException(image + " is read-only");
        }
        long pos = lba * BLOCK_SIZE;
        int end = src.position() + count * BLOCK_SIZE;
        int savedLimit = src.limit();
        src.limit(end);
        try {
            while (src.hasRemaining()) {
                pos += channel.write(src, pos);
            }
        } finally {
            src.limit(savedLimit);
        }
        if (fua) {
            channel.force(false);
        }
    }

    @Override
    public void flush() throws IOException {
        if (!readOnly) {
            channel.force(false);
        }
    }

    @Override
    public void unmap(long lba, long count) throws IOException {
        if (readOnly) {
            throw new IOException(image + " is read-only");
        }
        if (count <= 0) {
            return;
        }
        long offset = lba * BLOCK_SIZE;
        long length = count * BLOCK_SIZE;
        if (length >= PUNCH_MIN_BYTES && punchWorks && punchHole(offset, length)) {
            return;
        }
        zeroFill(offset, length);
    }

    private boolean punchHole(long offset, long length) {
        ProcessBuilder pb = new ProcessBuilder("fallocate", "--punch-hole", "--keep-size",
                "--offset", Long.toString(offset), "--length", Long.toString(length), image.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        try {
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            if (p.exitValue() != 0) {
                punchWorks = false; // unsupported here; zero-fill from now on
                return false;
            }
            return true;
        } catch (IOException e) {
            punchWorks = false; // no fallocate binary
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void zeroFill(long offset, long length) throws IOException {
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            ByteBuffer z = ZEROES.duplicate();
            z.limit((int) Math.min(ZERO_CHUNK, end - pos));
            while (z.hasRemaining()) {
                pos += channel.write(z, pos);
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "FileBlockDevice[" + image + (readOnly ? ", ro" : "") + ", " + blocks + " blocks]";
    }

    /** {@code <image>.pr}: persistent reservations live beside the file that holds the data. */
    @Override
    public java.util.Optional<java.nio.file.Path> reservationsFile() {
        return java.util.Optional.of(image.resolveSibling(image.getFileName() + ".pr"));
    }
}
