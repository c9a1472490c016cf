package io.chainboot.iscsi.scsi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A fake block device that remembers what it was asked to do: a small RAM disk (or a huge one that
 * stores nothing, for capacity tests), recording FUA writes, flushes and unmaps.
 */
class MemoryBlockDevice implements BlockDevice {
    final long blocks;
    final boolean readOnly;
    final boolean thin;
    final byte[] data;
    final List<String> calls = new ArrayList<>();

    MemoryBlockDevice(long blocks, boolean readOnly, boolean thin) {
        this.blocks = blocks;
        this.readOnly = readOnly;
        this.thin = thin;
        this.data = blocks * 512 <= (64L << 20) ? new byte[(int) (blocks * 512)] : null;
    }

    static MemoryBlockDevice small() {
        return new MemoryBlockDevice(2048, false, true);
    }

    @Override
    public long blocks() {
        return blocks;
    }

    @Override
    public int blockSize() {
        return 512;
    }

    @Override
    public String serial() {
        return "MEM0001";
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public boolean isThin() {
        return thin;
    }

    @Override
    public synchronized void read(long lba, int count, ByteBuffer dst) {
        dst.put(data, (int) (lba * 512), count * 512);
    }

    @Override
    public synchronized void write(long lba, int count, ByteBuffer src, boolean fua) {
        src.get(data, (int) (lba * 512), count * 512);
        calls.add("write " + lba + "+" + count + (fua ? " fua" : ""));
    }

    @Override
    public synchronized void flush() {
        calls.add("flush");
    }

    @Override
    public synchronized void unmap(long lba, long count) {
        java.util.Arrays.fill(data, (int) (lba * 512), (int) ((lba + count) * 512), (byte) 0);
        calls.add("unmap " + lba + "+" + count);
    }

    @Override
    public void close() {}
}
