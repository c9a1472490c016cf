package io.chainboot.iscsi.session;

import java.util.Arrays;
import java.util.Optional;

/**
 * Residual overflow on writes (RFC 7143 §11.4.5.2, FCP-4 §9.4.2 option a): when the CDB asks to
 * write more than the ExpectedDataTransferLength, the command is processed normally except that no
 * data beyond EDTL is written. For the plain WRITE / WRITE AND VERIFY CDBs this means rewriting the
 * transfer length to the whole blocks that EDTL covers. Pure.
 */
final class WriteTruncation {
    private WriteTruncation() {
    }

    /** The CDB's transfer length field in blocks, or empty when {@code cdb} is not a plain write. */
    static Optional<Long> blocks(byte[] cdb) {
        switch (cdb[0] & 0xff) {
            case 0x0a: // WRITE(6): 0 means 256 blocks (SBC-3 §5.32)
                return Optional.of((long) ((cdb[4] & 0xff) == 0 ? 256 : cdb[4] & 0xff));
            case 0x2a:
            case 0x2e: // WRITE(10), WRITE AND VERIFY(10)
                return Optional.of((long) (((cdb[7] & 0xff) << 8) | (cdb[8] & 0xff)));
            case 0xaa:
            case 0xae: // WRITE(12), WRITE AND VERIFY(12)
                return Optional.of(u32(cdb, 6));
            case 0x8a:
            case 0x8e: // WRITE(16), WRITE AND VERIFY(16)
                return cdb.length >= 16 ? Optional.of(u32(cdb, 10)) : Optional.empty();
            default:
                return Optional.empty();
        }
    }

    /** A copy of {@code cdb} transferring {@code blocks} blocks (at least 1 for WRITE(6), where 0 means 256). */
    static byte[] withBlocks(byte[] cdb, long blocks) {
        byte[] c = Arrays.copyOf(cdb, cdb.length);
        switch (c[0] & 0xff) {
            case 0x0a:
                c[4] = (byte) blocks;
                break;
            case 0x2a:
            case 0x2e:
                c[7] = (byte) (blocks >> 8);
                c[8] = (byte) blocks;
                break;
            case 0xaa:
            case 0xae:
                put32(c, 6, blocks);
                break;
            default:
                put32(c, 10, blocks);
        }
        return c;
    }

    private static long u32(byte[] b, int i) {
        return ((long) (b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    private static void put32(byte[] b, int i, long v) {
        b[i] = (byte) (v >> 24);
        b[i + 1] = (byte) (v >> 16);
        b[i + 2] = (byte) (v >> 8);
        b[i + 3] = (byte) v;
    }
}
