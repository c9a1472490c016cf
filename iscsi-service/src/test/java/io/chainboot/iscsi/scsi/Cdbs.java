package io.chainboot.iscsi.scsi;

import java.nio.ByteBuffer;

/** Builds CDBs byte by byte for the tests (what an initiator would send). */
final class Cdbs {
    private Cdbs() {}

    static byte[] of(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return b;
    }

    static byte[] rw10(int op, int flags, long lba, int blocks) {
        byte[] c = new byte[10];
        c[0] = (byte) op;
        c[1] = (byte) flags;
        Cdb.put32(c, 2, lba);
        Cdb.put16(c, 7, blocks);
        return c;
    }

    static byte[] rw16(int op, int flags, long lba, long blocks) {
        byte[] c = new byte[16];
        c[0] = (byte) op;
        c[1] = (byte) flags;
        Cdb.put64(c, 2, lba);
        Cdb.put32(c, 10, blocks);
        return c;
    }

    static byte[] rw12(int op, int flags, long lba, long blocks) {
        byte[] c = new byte[12];
        c[0] = (byte) op;
        c[1] = (byte) flags;
        Cdb.put32(c, 2, lba);
        Cdb.put32(c, 6, blocks);
        return c;
    }

    static byte[] inquiry(boolean evpd, int page, int alloc) {
        return of(0x12, evpd ? 1 : 0, page, alloc >> 8, alloc & 0xFF, 0);
    }

    static byte[] readCapacity16(int alloc) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x9E;
        c[1] = 0x10;
        Cdb.put32(c, 10, alloc);
        return c;
    }

    static ByteBuffer filled(int bytes, int value) {
        byte[] b = new byte[bytes];
        java.util.Arrays.fill(b, (byte) value);
        return ByteBuffer.wrap(b);
    }
}
