package io.chainboot.iscsi.scsi;

/** Big-endian field access on CDBs and parameter lists (SPC-4 §4.3: all multi-byte fields are big-endian). */
final class Cdb {
    private Cdb() {}

    static int u8(byte[] b, int i) {
        return i < b.length ? b[i] & 0xFF : 0;
    }

    static int u16(byte[] b, int i) {
        return (u8(b, i) << 8) | u8(b, i + 1);
    }

    static int u24(byte[] b, int i) {
        return (u8(b, i) << 16) | (u8(b, i + 1) << 8) | u8(b, i + 2);
    }

    static long u32(byte[] b, int i) {
        return ((long) u8(b, i) << 24) | (u8(b, i + 1) << 16) | (u8(b, i + 2) << 8) | u8(b, i + 3);
    }

    static long u64(byte[] b, int i) {
        return (u32(b, i) << 32) | u32(b, i + 4);
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >> 8);
        b[i + 1] = (byte) v;
    }

    static void put32(byte[] b, int i, long v) {
        b[i] = (byte) (v >> 24);
        b[i + 1] = (byte) (v >> 16);
        b[i + 2] = (byte) (v >> 8);
        b[i + 3] = (byte) v;
    }

    static void put64(byte[] b, int i, long v) {
        put32(b, i, v >>> 32);
        put32(b, i + 4, v);
    }

    /** At most {@code max} bytes of a data-out buffer (position..limit), copied; none for null. */
    static byte[] bytes(java.nio.ByteBuffer b, int max) {
        if (b == null) {
            return new byte[0];
        }
        java.nio.ByteBuffer d = b.duplicate();
        byte[] out = new byte[Math.min(max, d.remaining())];
        d.get(out);
        return out;
    }
}
