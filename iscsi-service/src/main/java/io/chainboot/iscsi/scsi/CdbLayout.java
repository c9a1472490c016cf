package io.chainboot.iscsi.scsi;

import static io.chainboot.iscsi.scsi.Cdb.u16;
import static io.chainboot.iscsi.scsi.Cdb.u32;
import static io.chainboot.iscsi.scsi.Cdb.u64;
import static io.chainboot.iscsi.scsi.Cdb.u8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.IntFunction;

/**
 * How one command's CDB is laid out (SPC-4 §4.2.5, SBC-3 §5): its operation code and service
 * action, CDB length, where the LBA and the transfer/allocation length sit, whether a length of 0
 * means 256 (the 6-byte READ/WRITE), which way data moves, which reservations it conflicts with, and
 * the CDB usage data bits REPORT SUPPORTED OPERATION CODES reports, what the session hears of it
 * ({@link Role}) and the handler that runs it. One row per command in {@link SpcCommands} and
 * {@link SbcCommands} (each file: its table and its handlers, as LIO's target_core_spc.c and
 * target_core_sbc.c); every place that sizes, decodes, dispatches or reports a command reads it here.
 *
 * @param flags   usage bits of the CDB's flag bytes, as {@code {byte, mask, byte, mask, ...}}: the bits
 *                the device server evaluates (DPO/FUA, BYTCHK, IMMED ...), reported in the usage data
 * @param special for {@link Transfer#OUT_SPECIAL}: the data-out in blocks as the CDB's other fields decide
 *                it (VERIFY's BYTCHK, WRITE SAME's NDOB, COMPARE AND WRITE's two halves); else null
 */
record CdbLayout(String name, int opcode, int serviceAction, int length, int lbaOffset, int lbaBytes,
        int lengthOffset, int lengthBytes, boolean zeroMeans256, Transfer transfer, Access access, int[] flags,
        SpecialDataOut special, Role role, Handler handler) {

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

    /**
     * What the layers around the device server need to know of a command: a GOOD {@code CAPACITY} or
     * {@code READ} feeds the session's {@link LunAttach}; an overflowing {@code WRITE} (the plain WRITE
     * and WRITE AND VERIFY CDBs) may be cut down to what the expected transfer length covers
     * ({@link ExpectedTransfer}).
     */
    enum Role { OTHER, CAPACITY, READ, WRITE }

    /** One command as the device server runs it: the row, the CDB, its LU (null for REPORT LUNS) and data. */
    record Command(CdbLayout layout, byte[] cdb, LogicalUnit lu, int luns, ScsiRequest request,
            IntFunction<ByteBuffer> buffers) {
        ByteBuffer dataOut() {
            return request.dataOut();
        }

        Nexus nexus() {
            return request.nexus();
        }
    }

    /** The data-out, in blocks, of an {@link Transfer#OUT_SPECIAL} row. */
    @FunctionalInterface
    interface SpecialDataOut {
        long blocks(CdbLayout row, byte[] cdb);
    }

    /** The device server's code of one row. */
    @FunctionalInterface
    interface Handler {
        ScsiResponse run(Command command) throws IOException;
    }

    CdbLayout {
        if ((transfer == Transfer.OUT_SPECIAL) != (special != null)) {
            throw new IllegalArgumentException(name + ": a special data-out size exactly for OUT_SPECIAL");
        }
    }

    /** Does the command carry data-out (so an I/O error is a write error)? */
    boolean dataOut() {
        return transfer == Transfer.OUT_BLOCKS || transfer == Transfer.OUT_PARAMETERS || transfer == Transfer.OUT_SPECIAL;
    }

    /** The data-out the CDB asks for: bytes for a parameter list, blocks otherwise (see {@link #dataOutIsBlocks}). */
    long dataOutLength(byte[] cdb) {
        return switch (transfer) {
            case OUT_PARAMETERS, OUT_BLOCKS -> transferLength(cdb);
            case OUT_SPECIAL -> special.blocks(this, cdb);
            default -> 0;
        };
    }

    boolean dataOutIsBlocks() {
        return transfer == Transfer.OUT_BLOCKS || transfer == Transfer.OUT_SPECIAL;
    }

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

    static CdbLayout none(String name, int opcode, int length, Access access, Handler handler, int... flags) {
        return new CdbLayout(name, opcode, NO_SA, length, 0, 0, 0, 0, false, Transfer.NONE, access, flags, null,
                Role.OTHER, handler);
    }

    static CdbLayout in(String name, int opcode, int sa, int length, int allocOffset, int allocBytes, Access access,
            Handler handler, int... flags) {
        return new CdbLayout(name, opcode, sa, length, 0, 0, allocOffset, allocBytes, false, Transfer.IN, access, flags,
                null, Role.OTHER, handler);
    }

    static CdbLayout params(String name, int opcode, int sa, int length, int lenOffset, int lenBytes, Access access,
            Handler handler, int... flags) {
        return new CdbLayout(name, opcode, sa, length, 0, 0, lenOffset, lenBytes, false, Transfer.OUT_PARAMETERS, access,
                flags, null, Role.OTHER, handler);
    }

    /** A block command: LBA and transfer length in blocks; a 3-byte LBA (the 6-byte CDBs) means "0 is 256". */
    static CdbLayout blocks(String name, int opcode, int sa, int length, int lbaOffset, int lbaBytes, int lenOffset,
            int lenBytes, Transfer transfer, Access access, Role role, Handler handler, int... flags) {
        return new CdbLayout(name, opcode, sa, length, lbaOffset, lbaBytes, lenOffset, lenBytes,
                lbaBytes == 3, transfer, access, flags, null, role, handler);
    }

    /** This row with its data-out sized by {@code blocks} ({@link Transfer#OUT_SPECIAL}). */
    CdbLayout withSpecialDataOut(SpecialDataOut blocks) {
        return new CdbLayout(name, opcode, serviceAction, length, lbaOffset, lbaBytes, lengthOffset, lengthBytes,
                zeroMeans256, Transfer.OUT_SPECIAL, access, flags, blocks, role, handler);
    }

    /** This row with another role (what the session hears of it). */
    CdbLayout as(Role r) {
        return new CdbLayout(name, opcode, serviceAction, length, lbaOffset, lbaBytes, lengthOffset, lengthBytes,
                zeroMeans256, transfer, access, flags, special, r, handler);
    }
}
