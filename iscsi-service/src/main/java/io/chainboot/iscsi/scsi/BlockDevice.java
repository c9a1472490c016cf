package io.chainboot.iscsi.scsi;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The backing store of one logical unit: an array of fixed-size logical blocks. Implementations
 * are thread-safe for concurrent positional reads and writes (callers never overlap a read and a
 * write of the same block in a way that needs ordering beyond what SCSI itself promises).
 *
 * <p>This is the seam for copy-on-write overlays over golden images: everything the SCSI layer
 * needs goes through these methods.
 */
public interface BlockDevice extends AutoCloseable {

    /** Capacity in logical blocks. */
    long blocks();

    /** Logical block size in bytes (512 for Chainboot disks). */
    int blockSize();

    /** Unit serial number (VPD page 0x80), printable ASCII, at most 32 characters. */
    String serial();

    /** True if writes are refused (WRITE PROTECTED sense). */
    boolean readOnly();

    /**
     * True if the device is thin provisioned and {@link #unmap} releases storage (READ CAPACITY
     * LBPME, VPD 0xB2).
     */
    boolean isThin();

    /** True if blocks read back as zeroes after {@link #unmap} (READ CAPACITY 16 LBPRZ). */
    default boolean unmappedReadsZero() {
        return isThin();
    }

    /**
     * Reads {@code count} blocks starting at {@code lba} into {@code dst} at its position, advancing
     * the position by {@code count * blockSize()}. The caller checks bounds.
     */
    void read(long lba, int count, ByteBuffer dst) throws IOException;

    /**
     * Writes {@code count} blocks starting at {@code lba} from {@code src} at its position. With
     * {@code fua} the data is on stable storage when this returns (SBC-3 §5.37 FUA).
     */
    void write(long lba, int count, ByteBuffer src, boolean fua) throws IOException;

    /** Forces all written data to stable storage (SYNCHRONIZE CACHE). */
    void flush() throws IOException;

    /**
     * Deallocates {@code count} blocks from {@code lba} (UNMAP, WRITE SAME with UNMAP). Afterwards
     * the blocks read as zeroes if {@link #unmappedReadsZero()}. A metadata operation: it does not
     * write the blocks one by one.
     */
    void unmap(long lba, long count) throws IOException;

    /**
     * Whether {@code lba} is mapped (GET LBA STATUS), and how many blocks from it share that
     * state (at least 1).
     */
    default Extent extentAt(long lba) throws IOException {
        return new Extent(lba, blocks() - lba, true);
    }

    /** A run of blocks that are all mapped or all deallocated. */
    record Extent(long lba, long count, boolean mapped) {}

    @Override
    void close() throws IOException;

    /**
     * The file that keeps this device's persistent reservations across restarts (SPC-4 §5.12.4), beside
     * its image; empty = kept in memory only (a device without a file of its own).
     */
    default java.util.Optional<java.nio.file.Path> reservationsFile() {
        return java.util.Optional.empty();
    }
}
