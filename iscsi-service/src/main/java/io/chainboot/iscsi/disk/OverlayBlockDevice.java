package io.chainboot.iscsi.disk;

import io.chainboot.iscsi.scsi.BlockDevice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.zip.CRC32;

/**
 * A per-machine copy-on-write disk over a read-only golden image, in one file of its own.
 *
 * <p><b>Grains.</b> The virtual disk is cut into grains of {@link #grainBlocks()} blocks (64 KiB by
 * default). Each grain is in one of three states, held in memory in one {@code long} per grain:
 * <ul>
 *   <li>GOLDEN — never written: reads fall through to the golden image (zeroes past its end);</li>
 *   <li>ALLOCATED — the grain's data lives in a slot of the overlay file;</li>
 *   <li>ZEROED — deallocated by UNMAP / WRITE SAME with UNMAP: reads return zeroes (LBPRZ=1, SBC-3
 *       §4.7.3.4: after UNMAP the blocks are unmapped, they do not go back to the golden content).</li>
 * </ul>
 * A write into a GOLDEN or ZEROED grain takes a free slot and writes the whole grain: the blocks it
 * does not cover are copied from the golden image (or zeroes) first — read-modify-write.
 *
 * <p><b>File layout.</b> A 4 KiB header (magic, version, grain size, virtual and golden size, the
 * golden image's identity, CRC-32), then the grain map (8 bytes per grain, little-endian), then the
 * data slots. A map entry carries its state, its slot and a 16-bit check of (grain, state, slot):
 * on open every entry is validated (check, slot inside the file, no slot used twice) and an overlay
 * that fails is refused with an {@link IOException} rather than served wrong.
 *
 * <p><b>Durability order</b> (data before metadata). A new grain's data is written to its slot
 * at once, but its map entry only reaches the file after the data is forced: on a FUA write
 * {@code write data → force → write entry → force} before returning; otherwise the entry is kept
 * dirty in memory and {@link #flush()} (SYNCHRONIZE CACHE) does {@code force → write all dirty entries
 * → force}. A crash therefore loses at most writes nobody was told were durable, and never leaves an
 * entry pointing at a slot whose data is not on disk (the golden content of a half-written grain
 * stays right). Rewrites of an ALLOCATED grain go to its slot in place and need no metadata.
 * A slot freed by UNMAP is reused only after the entry that freed it is durable (next flush), so a
 * crash cannot make two grains share a slot.
 *
 * <p><b>Space.</b> {@code maxDataBytes} bounds the slots the overlay may hold; a write that would
 * need more fails before writing anything with {@link OverlayFullException} (an {@code IOException}).
 *
 * <p><b>Concurrency.</b> Reads take no lock: they read the map entries (acquire) and issue
 * positional reads, coalescing runs of grains that are contiguous in the golden image or in the
 * overlay file. Writes hold a striped per-grain lock while they write a grain; slot allocation and
 * the dirty set are guarded by one monitor held for microseconds.
 */
public final class OverlayBlockDevice implements BlockDevice {

    public static final int BLOCK_SIZE = 512;
    /** Default grain: 128 blocks = 64 KiB. */
    public static final int DEFAULT_GRAIN_BLOCKS = 128;

    static final byte[] MAGIC = "CBOVRLY1".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER_BYTES = 4096;
    static final int MAX_GOLDEN_ID = 1024;
    static final long DATA_ALIGN = 2L << 20;

    static final long GOLDEN = 0;
    static final long ALLOCATED = 1;
    static final long ZEROED = 2;
    private static final long SLOT_MASK = (1L << 40) - 1;
    private static final int LOCK_STRIPES = 256;
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

    private final Path file;
    private final FileChannel channel;
    private final BlockDevice golden;
    private final boolean closeGolden;
    private final String serial;
    private final long blocks;
    private final int grainBlocks;
    private final int grainBytes;
    private final long dataOffset;
    private final long maxSlots;
    /** State and slot of each grain: {@code state << 62 | slot}, 0 = GOLDEN. */
    private final AtomicLongArray map;
    private final Object[] grainLocks = new Object[LOCK_STRIPES];

    // guarded by "this"
    private final BitSet dirty = new BitSet();
    private final ArrayDeque<Long> freeSlots = new ArrayDeque<>();
    private final List<Long> pendingFree = new ArrayList<>();
    private long nextSlot;
    private long usedSlots; // slots holding live data or pending free
    private boolean closed;

    private OverlayBlockDevice(Path file, FileChannel channel, BlockDevice golden, boolean closeGolden, String serial,
                               long blocks, int grainBlocks, long dataOffset, long maxDataBytes, AtomicLongArray map) {
        this.file = file;
        this.channel = channel;
        this.golden = golden;
        this.closeGolden = closeGolden;
        this.serial = serial;
        this.blocks = blocks;
        this.grainBlocks = grainBlocks;
        this.grainBytes = grainBlocks * BLOCK_SIZE;
        this.dataOffset = dataOffset;
        this.maxSlots = maxDataBytes <= 0 ? Long.MAX_VALUE : maxDataBytes / grainBytes;
        this.map = map;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            grainLocks[i] = new Object();
        }
    }

    /** What an overlay file says about itself (its header), readable without the golden image. */
    public record Header(int grainBlocks, long blocks, long goldenBlocks, String goldenId, long dataOffset) {
        public long grains() {
            return (blocks + grainBlocks - 1) / grainBlocks;
        }
    }

    /**
     * Creates a new empty overlay file (fails if it exists) of {@code blocks} blocks (at least the
     * golden image's size) over {@code golden}, whose identity {@code goldenId} (e.g. name and
     * SHA-256) is recorded and checked again on every {@link #open}.
     */
    public static void create(Path file, BlockDevice golden, String goldenId, long blocks, int grainBlocks)
            throws IOException {
        if (golden.blockSize() != BLOCK_SIZE) {
            throw new IOException("golden image must have 512-byte blocks, has " + golden.blockSize());
        }
        if (grainBlocks <= 0 || Integer.bitCount(grainBlocks) != 1 || grainBlocks > 8192) {
            throw new IllegalArgumentException("grain must be a power of two of at most 8192 blocks: " + grainBlocks);
        }
        if (blocks < golden.blocks()) {
            throw new IllegalArgumentException("overlay smaller than its golden image: " + blocks + " < " + golden.blocks());
        }
        byte[] id = goldenId.getBytes(StandardCharsets.UTF_8);
        if (id.length > MAX_GOLDEN_ID) {
            throw new IllegalArgumentException("golden id too long");
        }
        long grains = (blocks + grainBlocks - 1) / grainBlocks;
        // slots start on a 2 MiB boundary: each grain stays naturally aligned in the file, so the
        // page cache can hold it in large folios like a raw image's (misaligned: ~1.5x slower reads)
        long dataOffset = align(HEADER_BYTES + grains * 8, DATA_ALIGN);
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).putInt(VERSION).putInt(grainBlocks).putLong(blocks).putLong(golden.blocks()).putLong(dataOffset)
                .putInt(id.length).put(id);
        CRC32 crc = new CRC32();
        crc.update(h.array(), 0, HEADER_BYTES - 4);
        h.putInt(HEADER_BYTES - 4, (int) crc.getValue());
        h.clear();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (h.hasRemaining()) {
                ch.write(h, h.position());
            }
            ch.truncate(dataOffset);
            if (ch.size() < dataOffset) {
                ch.write(ByteBuffer.allocate(1), dataOffset - 1); // map region sparse: all zero = all GOLDEN
            }
            ch.force(true);
        }
        forceDirectory(file.toAbsolutePath().getParent());
    }

    /** Reads and checks an overlay file's header. */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(ch, file);
        }
    }

    private static Header readHeader(FileChannel ch, Path file) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (h.hasRemaining()) {
            if (ch.read(h, h.position()) < 0) {
                throw new IOException(file + ": not an overlay (short header)");
            }
        }
        CRC32 crc = new CRC32();
        crc.update(h.array(), 0, HEADER_BYTES - 4);
        byte[] magic = new byte[8];
        h.flip();
        h.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException(file + ": not an overlay (bad magic)");
        }
        if (h.getInt(HEADER_BYTES - 4) != (int) crc.getValue()) {
            throw new IOException(file + ": corrupt overlay header (CRC)");
        }
        int version = h.getInt();
        if (version != VERSION) {
            throw new IOException(file + ": unsupported overlay version " + version);
        }
        int grainBlocks = h.getInt();
        long blocks = h.getLong();
        long goldenBlocks = h.getLong();
        long dataOffset = h.getLong();
        int idLen = h.getInt();
        if (grainBlocks <= 0 || Integer.bitCount(grainBlocks) != 1 || blocks <= 0 || idLen < 0 || idLen > MAX_GOLDEN_ID
                || dataOffset < HEADER_BYTES + ((blocks + grainBlocks - 1) / grainBlocks) * 8) {
            throw new IOException(file + ": corrupt overlay header (fields)");
        }
        byte[] id = new byte[idLen];
        h.get(id);
        return new Header(grainBlocks, blocks, goldenBlocks, new String(id, StandardCharsets.UTF_8), dataOffset);
    }

    /**
     * Opens an overlay file over its golden image (which must be the one it was created on:
     * same identity and size). Every map entry is validated.
     *
     * @param maxDataBytes bound on the overlay's data (0 = no bound)
     * @param closeGolden  whether {@link #close()} also closes {@code golden}
     */
    public static OverlayBlockDevice open(Path file, BlockDevice golden, String goldenId, long maxDataBytes,
                                          String serial, boolean closeGolden) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            Header h = readHeader(ch, file);
            if (goldenId != null && !goldenId.equals(h.goldenId())) {
                throw new IOException(file + ": overlay was made on golden image '" + h.goldenId() + "', not '" + goldenId + "'");
            }
            if (golden.blocks() != h.goldenBlocks()) {
                throw new IOException(file + ": golden image has " + golden.blocks() + " blocks, overlay expects "
                        + h.goldenBlocks());
            }
            long grains = h.grains();
            if (grains > Integer.MAX_VALUE) {
                throw new IOException(file + ": too many grains");
            }
            int grainBytes = h.grainBlocks() * BLOCK_SIZE;
            long fileSlots = Math.max(0, (ch.size() - h.dataOffset()) / grainBytes);
            AtomicLongArray map = new AtomicLongArray((int) grains);
            BitSet used = new BitSet();
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            long g = 0;
            long maxSlot = -1;
            long usedCount = 0;
            while (g < grains) {
                buf.clear();
                int n = (int) Math.min(buf.capacity() / 8, grains - g);
                buf.limit(n * 8);
                long pos = HEADER_BYTES + g * 8;
                while (buf.hasRemaining()) {
                    if (ch.read(buf, pos + buf.position()) < 0) {
                        throw new IOException(file + ": truncated grain map");
                    }
                }
                buf.flip();
                for (int i = 0; i < n; i++, g++) {
                    long raw = buf.getLong();
                    if (raw == 0) {
                        continue;
                    }
                    long entry = decodeEntry(raw, g);
                    if (entry == INVALID) {
                        throw new IOException(file + ": corrupt grain map entry for grain " + g
                                + String.format(" (%016x)", raw));
                    }
                    if (state(entry) == ALLOCATED) {
                        long slot = slot(entry);
                        if (slot >= fileSlots) {
                            throw new IOException(file + ": grain " + g + " points past the end of the file (slot "
                                    + slot + " of " + fileSlots + ")");
                        }
                        if (slot > Integer.MAX_VALUE - 1 || used.get((int) slot)) {
                            throw new IOException(file + ": slot " + slot + " used twice (grain " + g + ")");
                        }
                        used.set((int) slot);
                        maxSlot = Math.max(maxSlot, slot);
                        usedCount++;
                    }
                    map.set((int) (g), entry);
                }
            }
            OverlayBlockDevice d = new OverlayBlockDevice(file, ch, golden, closeGolden, serial, h.blocks(),
                    h.grainBlocks(), h.dataOffset(), maxDataBytes, map);
            d.nextSlot = maxSlot + 1;
            d.usedSlots = usedCount;
            for (int s = used.nextClearBit(0); s < maxSlot; s = used.nextClearBit(s + 1)) {
                d.freeSlots.add((long) s);
            }
            return d;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    // ---- map entries ------------------------------------------------------------------------

    static long entry(long state, long slot) {
        return state << 62 | slot;
    }

    static long state(long entry) {
        return entry >>> 62;
    }

    static long slot(long entry) {
        return entry & SLOT_MASK;
    }

    /** On-disk form: in-memory entry with a 16-bit check of (grain, entry) in bits 40..55. */
    static long encodeEntry(long entry, long grain) {
        if (entry == 0) {
            return 0;
        }
        return entry | (long) check(entry, grain) << 40;
    }

    /** Result of {@link #decodeEntry} for an entry that fails validation (state 3 is never valid). */
    static final long INVALID = -1L;

    /** The in-memory entry of an on-disk value, or {@link #INVALID}. */
    static long decodeEntry(long raw, long grain) {
        long entry = raw & ~(0xFFFFL << 40);
        long st = state(entry);
        if ((raw & (0x3FL << 56)) != 0 || (st != ALLOCATED && st != ZEROED) || (st == ZEROED && slot(entry) != 0)) {
            return INVALID;
        }
        int c = (int) ((raw >>> 40) & 0xFFFF);
        return c == check(entry, grain) ? entry : INVALID;
    }

    private static int check(long entry, long grain) {
        long x = entry * 0x9E3779B97F4A7C15L ^ (grain + 0x632BE59BD9B4E019L) * 0xC2B2AE3D27D4EB4FL;
        x ^= x >>> 29;
        x *= 0xBF58476D1CE4E5B9L;
        x ^= x >>> 32;
        return (int) (x & 0xFFFF);
    }

    // ---- BlockDevice ---------------------------------------------------------------------------

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
        return false;
    }

    @Override
    public boolean isThin() {
        return true;
    }

    @Override
    public boolean unmappedReadsZero() {
        return true;
    }

    public int grainBlocks() {
        return grainBlocks;
    }

    public Path file() {
        return file;
    }

    /** Grains whose data lives in the overlay. */
    public synchronized long allocatedGrains() {
        return usedSlots - pendingFree.size();
    }

    /** Bytes of overlay data in use (allocated grains, and freed ones not yet reusable). */
    public synchronized long usedBytes() {
        return usedSlots * grainBytes;
    }

    /** Bytes the overlay may still allocate before writes fail ({@link Long#MAX_VALUE} without a bound). */
    public synchronized long freeBytes() {
        return maxSlots == Long.MAX_VALUE ? Long.MAX_VALUE : (maxSlots - usedSlots + pendingFree.size()) * grainBytes;
    }

    /** Size of the overlay file on disk (slots ever used, including free ones awaiting reuse). */
    public synchronized long fileSlots() {
        return nextSlot;
    }

    @Override
    public void read(long lba, int count, ByteBuffer dst) throws IOException {
        long end = lba + count;
        long cur = lba;
        int savedLimit = dst.limit();
        try {
            while (cur < end) {
                int g = (int) (cur / grainBlocks);
                long e = map.get(g);
                long st = state(e);
                // extend the run while the next grain continues it
                long runEnd = Math.min(end, (long) (g + 1) * grainBlocks);
                int next = g + 1;
                while (runEnd < end) {
                    long e2 = map.get(next);
                    if (state(e2) != st || (st == ALLOCATED && slot(e2) != slot(e) + (next - g))) {
                        break;
                    }
                    runEnd = Math.min(end, (long) (next + 1) * grainBlocks);
                    next++;
                }
                int n = (int) (runEnd - cur);
                dst.limit(dst.position() + n * BLOCK_SIZE);
                if (st == GOLDEN) {
                    readGolden(cur, n, dst);
                } else if (st == ALLOCATED) {
                    long pos = dataOffset + slot(e) * grainBytes + (cur - (long) g * grainBlocks) * BLOCK_SIZE;
                    readFully(pos, dst);
                } else {
                    zero(dst);
                }
                cur = runEnd;
            }
        } finally {
            dst.limit(savedLimit);
        }
    }

    private void readGolden(long lba, int n, ByteBuffer dst) throws IOException {
        long gb = golden.blocks();
        int inGolden = (int) Math.max(0, Math.min(n, gb - lba));
        if (inGolden > 0) {
            golden.read(lba, inGolden, dst);
        }
        zero(dst);
    }

    private void readFully(long pos, ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            int r = channel.read(dst, pos);
            if (r < 0) {
                throw new IOException(file + ": read past end of overlay at " + pos);
            }
            pos += r;
        }
    }

    private static void zero(ByteBuffer dst) {
        while (dst.hasRemaining()) {
            ByteBuffer z = ZEROES.duplicate();
            z.limit(Math.min(z.capacity(), dst.remaining()));
            dst.put(z);
        }
    }

    @Override
    public void write(long lba, int count, ByteBuffer src, boolean fua) throws IOException {
        if (count <= 0) {
            return;
        }
        int firstG = (int) (lba / grainBlocks);
        int lastG = (int) ((lba + count - 1) / grainBlocks);
        int reservedHere = reserve(firstG, lastG);
        boolean newGrains = false;
        int savedLimit = src.limit();
        long cur = lba;
        long end = lba + count;
        try {
            for (int g = firstG; g <= lastG; g++) {
                long gStart = (long) g * grainBlocks;
                long gEnd = Math.min(gStart + grainBlocks, end);
                int n = (int) (gEnd - cur);
                src.limit(src.position() + n * BLOCK_SIZE);
                // the grain's stripe lock: no allocation race, and UNMAP cannot free the slot under us
                synchronized (grainLocks[g % LOCK_STRIPES]) {
                    long e = map.get(g);
                    if (state(e) == ALLOCATED) {
                        writeFully(dataOffset + slot(e) * grainBytes + (cur - gStart) * BLOCK_SIZE, src);
                    } else {
                        allocateGrain(g, state(e), cur - gStart, n, src);
                        newGrains = true;
                    }
                }
                cur = gEnd;
            }
        } finally {
            src.limit(savedLimit);
            release(reservedHere);
        }
        if (fua) {
            if (newGrains) {
                flush();
            } else {
                channel.force(false);
            }
        }
    }

    /** Copy-on-write of one grain into a new slot: base content (golden or zeroes), then the new blocks. */
    private void allocateGrain(int g, long oldState, long offsetInGrain, int n, ByteBuffer src) throws IOException {
        long slot = takeSlot();
        long gStart = (long) g * grainBlocks;
        int grainLen = (int) Math.min(grainBlocks, blocks - gStart);
        ByteBuffer buf = ByteBuffer.allocateDirect(grainBytes);
        if (n < grainLen) {
            buf.limit(grainLen * BLOCK_SIZE);
            if (oldState == GOLDEN) {
                readGolden(gStart, grainLen, buf);
            } else {
                zero(buf);
            }
            buf.clear();
        }
        buf.position((int) offsetInGrain * BLOCK_SIZE);
        buf.put(src);
        buf.clear();
        buf.limit(grainLen * BLOCK_SIZE);
        try {
            writeFully(dataOffset + slot * grainBytes, buf);
        } catch (IOException e) {
            returnSlot(slot);
            throw e;
        }
        synchronized (this) {
            map.set(g, entry(ALLOCATED, slot));
            dirty.set(g);
        }
    }

    private void writeFully(long pos, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
    }

    // ---- space ---------------------------------------------------------------------------------

    /** Grains reserved by writes in progress, so a multi-grain write fails before writing anything. */
    private long reserved;

    private int reserve(int firstG, int lastG) throws IOException {
        int need = 0;
        for (int g = firstG; g <= lastG; g++) {
            if (state(map.get(g)) != ALLOCATED) {
                need++;
            }
        }
        if (need == 0) {
            return 0;
        }
        synchronized (this) {
            if (usedSlots + reserved + need > maxSlots && !pendingFree.isEmpty()) {
                flushLocked(); // make freed slots reusable
            }
            if (usedSlots + reserved + need > maxSlots) {
                throw new OverlayFullException(file, (long) need * grainBytes, freeBytesLocked());
            }
            reserved += need;
        }
        return need;
    }

    private void release(int n) {
        if (n > 0) {
            synchronized (this) {
                reserved -= n;
            }
        }
    }

    private long freeBytesLocked() {
        return Math.max(0, maxSlots - usedSlots - reserved) * grainBytes;
    }

    private synchronized long takeSlot() {
        usedSlots++;
        Long s = freeSlots.poll();
        return s != null ? s : nextSlot++;
    }

    private synchronized void returnSlot(long slot) {
        usedSlots--;
        freeSlots.addFirst(slot);
    }

    // ---- flush / unmap -------------------------------------------------------------------------

    @Override
    public void flush() throws IOException {
        synchronized (this) {
            flushLocked();
        }
    }

    /** force data → write dirty map entries → force; then freed slots become reusable. */
    private void flushLocked() throws IOException {
        channel.force(false);
        if (dirty.isEmpty()) {
            releasePending();
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (int g = dirty.nextSetBit(0); g >= 0; g = dirty.nextSetBit(g + 1)) {
            b.clear();
            b.putLong(0, encodeEntry(map.get(g), g));
            writeFully(HEADER_BYTES + (long) g * 8, b);
        }
        channel.force(false);
        dirty.clear();
        releasePending();
    }

    private void releasePending() {
        for (Long s : pendingFree) {
            freeSlots.add(s);
            usedSlots--;
        }
        pendingFree.clear();
    }

    /**
     * Whole grains in the range become ZEROED (their slots are freed, reusable after the next
     * flush); the blocks of partly covered grains are written with zeroes (which may allocate).
     */
    @Override
    public void unmap(long lba, long count) throws IOException {
        if (count <= 0) {
            return;
        }
        long end = lba + count;
        long cur = lba;
        while (cur < end) {
            long g = cur / grainBlocks;
            long gStart = g * grainBlocks;
            long gEnd = Math.min(gStart + grainBlocks, blocks);
            long runEnd = Math.min(end, gEnd);
            if (cur == gStart && runEnd == gEnd) {
                synchronized (grainLocks[(int) (g % LOCK_STRIPES)]) {
                    synchronized (this) {
                        long e = map.get((int) g);
                        if (state(e) != ZEROED) {
                            if (state(e) == ALLOCATED) {
                                pendingFree.add(slot(e));
                            }
                            map.set((int) g, entry(ZEROED, 0));
                            dirty.set((int) g);
                        }
                    }
                }
            } else if (state(map.get((int) g)) != ZEROED) {
                int n = (int) (runEnd - cur);
                ByteBuffer z = ByteBuffer.allocate(n * BLOCK_SIZE);
                write(cur, n, z, false);
            }
            cur = runEnd;
        }
    }

    @Override
    public Extent extentAt(long lba) {
        boolean mapped = mappedAt(lba);
        long cur = (lba / grainBlocks + 1) * grainBlocks;
        while (cur < blocks && mappedAt(cur) == mapped) {
            cur += grainBlocks;
        }
        return new Extent(lba, Math.min(cur, blocks) - lba, mapped);
    }

    private boolean mappedAt(long lba) {
        long st = state(map.get((int) (lba / grainBlocks)));
        return st == ALLOCATED || (st == GOLDEN && lba < golden.blocks());
    }

    /**
     * Drops every grain: the disk reads as its golden image again (reset to golden while open). The
     * map region is cleared and forced, then the data slots are released (file truncated). Waits for
     * writes in progress; meant for a machine that is not writing.
     */
    public void resetToGolden() throws IOException {
        withAllGrainLocks(0, () -> {
            synchronized (this) {
                for (int g = 0; g < map.length(); g++) {
                    map.set(g, GOLDEN);
                }
                dirty.clear();
                freeSlots.clear();
                pendingFree.clear();
                nextSlot = 0;
                usedSlots = 0;
                channel.truncate(HEADER_BYTES); // map and data gone ...
                channel.write(ByteBuffer.allocate(1), dataOffset - 1); // ... map region back as zeroes (holes)
                channel.force(true);
            }
        });
    }

    private interface Locked {
        void run() throws IOException;
    }

    private void withAllGrainLocks(int i, Locked body) throws IOException {
        if (i == LOCK_STRIPES) {
            body.run();
            return;
        }
        synchronized (grainLocks[i]) {
            withAllGrainLocks(i + 1, body);
        }
    }

    public synchronized boolean isOpen() {
        return !closed;
    }

    /** State of grain {@code g} (for tests and the store): GOLDEN, ALLOCATED or ZEROED. */
    long grainState(int g) {
        return state(map.get(g));
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                flushLocked();
            } finally {
                channel.close();
                if (closeGolden) {
                    golden.close();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "OverlayBlockDevice[" + file + ", " + blocks + " blocks, grain " + grainBlocks + "]";
    }

    static long align(long v, long a) {
        return (v + a - 1) / a * a;
    }

    static void forceDirectory(Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be opened; the file itself is forced
        }
    }

    /** Whether a file starts like an overlay. */
    public static boolean isOverlay(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(8);
            ch.read(b, 0);
            return java.util.Arrays.equals(b.array(), MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    static boolean exists(Path p) {
        return Files.exists(p);
    }

    /** {@code <file>.pr}: persistent reservations live beside the file that holds the data. */
    @Override
    public java.util.Optional<java.nio.file.Path> reservationsFile() {
        return java.util.Optional.of(file.resolveSibling(file.getFileName() + ".pr"));
    }
}
