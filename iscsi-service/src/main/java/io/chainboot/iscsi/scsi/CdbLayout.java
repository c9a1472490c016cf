package io.chainboot.iscsi.scsi;

import static io.chainboot.iscsi.scsi.Cdb.u16;
import static io.chainboot.iscsi.scsi.Cdb.u32;
import static io.chainboot.iscsi.scsi.Cdb.u64;
import static io.chainboot.iscsi.scsi.Cdb.u8;

/**
 * How one command's CDB is laid out (SPC-4 §4.2.5, SBC-3 §5): its operation code and service
 * action, CDB length, where the LBA and the transfer/allocation length sit, whether a length of 0
 * means 256 (the 6-byte READ/WRITE), which way data moves, which reservations it conflicts with, and
 * the CDB usage data bits REPORT SUPPORTED OPERATION CODES reports. One row per command in
 * {@link SpcCommands} and {@link SbcCommands}; every place that sizes or decodes a CDB reads it here.
 *
 * @param flags usage bits of the CDB's flag bytes, as {@code {byte, mask, byte, mask, ...}}: the bits
 *              the device server evaluates (DPO/FUA, BYTCHK, IMMED ...), reported in the usage data
 */
record CdbLayout(String name, int opcode, int serviceAction, int length, int lbaOffset, int lbaBytes,
        int lengthOffset, int lengthBytes, boolean zeroMeans256, Transfer transfer, Access access, int[] flags) {

    /** No service action: the opcode alone names the command. */
    static final int NO_SA = -1;

    /** Which way the command moves data, and what its length field counts. */
    enum Transfer {
        /** no data */
        NONE,
        /** data-in of at most the allocation length (bytes) */
        IN,
        /** data-in of {@code length × block size} */
        IN_BLOCKS,
        /** data-out of {@code length × block size} */
        OUT_BLOCKS,
        /** data-out of exactly the parameter list length (bytes) */
        OUT_PARAMETERS,
        /** data-out that depends on more than the length field (VERIFY's BYTCHK, WRITE SAME's NDOB): decided per command */
        OUT_SPECIAL
    }

    /**
     * What the command does to the medium, for reservation checks (SPC-4 §5.12.3 table 65, SPC-2 §5.5.1):
     * {@code ALWAYS} commands are served whatever is reserved; {@code STATUS} ones under a persistent
     * reservation but not under a RESERVE(6) held by another nexus; {@code READ} conflict with exclusive-access
     * reservations of others; {@code WRITE} with every reservation of others.
     */
    enum Access { ALWAYS, STATUS, READ, WRITE }

    boolean hasServiceAction() {
        return serviceAction != NO_SA;
    }

    /** The LBA field, unsigned (READ(6)/WRITE(6): the 21 low bits of bytes 1-3). */
    long lba(byte[] cdb) {
        return switch (lbaBytes) {
            case 0 -> 0;
            case 3 -> Cdb.u24(cdb, lbaOffset) & 0x1FFFFF;
            case 4 -> u32(cdb, lbaOffset);
            case 8 -> u64(cdb, lbaOffset);
            default -> throw new IllegalStateException(name + ": LBA of " + lbaBytes + " bytes");
        };
    }

    /** The transfer (blocks) or allocation/parameter list (bytes) length, with "0 means 256" applied. */
    long transferLength(byte[] cdb) {
        long n = switch (lengthBytes) {
            case 0 -> 0;
            case 1 -> u8(cdb, lengthOffset);
            case 2 -> u16(cdb, lengthOffset);
            case 4 -> u32(cdb, lengthOffset);
            default -> throw new IllegalStateException(name + ": length of " + lengthBytes + " bytes");
        };
        return n == 0 && zeroMeans256 ? 256 : n;
    }

    /**
     * CDB usage data (SPC-4 §6.35.3): the operation code, then a mask of every bit the device server
     * looks at — service action, LBA, length and the flag bits — and 0 in the CONTROL byte (no NACA).
     */
    byte[] usageData() {
        byte[] u = new byte[length];
        u[0] = (byte) opcode;
        if (hasServiceAction()) {
            u[1] |= 0x1F;
        }
        if (lbaBytes == 3) {
            u[1] |= 0x1F;
            u[2] = (byte) 0xFF;
            u[3] = (byte) 0xFF;
        } else {
            for (int i = 0; i < lbaBytes; i++) {
                u[lbaOffset + i] = (byte) 0xFF;
            }
        }
        for (int i = 0; i < lengthBytes; i++) {
            u[lengthOffset + i] = (byte) 0xFF;
        }
        for (int i = 0; i + 1 < flags.length; i += 2) {
            u[flags[i]] |= (byte) flags[i + 1];
        }
        u[length - 1] = 0; // CONTROL: NACA not supported
        return u;
    }

    /** The index of the length field, for an INVALID FIELD IN CDB pointer. */
    int lengthField() {
        return lengthOffset;
    }

    // ---------------------------------------------------------------- builders for the tables

    static CdbLayout none(String name, int opcode, int length, Access access, int... flags) {
        return new CdbLayout(name, opcode, NO_SA, length, 0, 0, 0, 0, false, Transfer.NONE, access, flags);
    }

    static CdbLayout in(String name, int opcode, int sa, int length, int allocOffset, int allocBytes, Access access,
            int... flags) {
        return new CdbLayout(name, opcode, sa, length, 0, 0, allocOffset, allocBytes, false, Transfer.IN, access, flags);
    }

    static CdbLayout params(String name, int opcode, int sa, int length, int lenOffset, int lenBytes, Access access,
            int... flags) {
        return new CdbLayout(name, opcode, sa, length, 0, 0, lenOffset, lenBytes, false, Transfer.OUT_PARAMETERS, access,
                flags);
    }

    /** A block command: LBA and transfer length in blocks. */
    static CdbLayout blocks(String name, int opcode, int sa, int length, int lbaOffset, int lbaBytes, int lenOffset,
            int lenBytes, Transfer transfer, Access access, int... flags) {
        return new CdbLayout(name, opcode, sa, length, lbaOffset, lbaBytes, lenOffset, lenBytes,
                lbaBytes == 3, transfer, access, flags);
    }
}
