package io.chainboot.iscsi.scsi;

import static io.chainboot.iscsi.scsi.CdbLayout.Access.READ;
import static io.chainboot.iscsi.scsi.CdbLayout.Access.STATUS;
import static io.chainboot.iscsi.scsi.CdbLayout.Access.WRITE;
import static io.chainboot.iscsi.scsi.CdbLayout.NO_SA;
import static io.chainboot.iscsi.scsi.CdbLayout.Transfer.IN;
import static io.chainboot.iscsi.scsi.CdbLayout.Transfer.IN_BLOCKS;
import static io.chainboot.iscsi.scsi.CdbLayout.Transfer.NONE;
import static io.chainboot.iscsi.scsi.CdbLayout.Transfer.OUT_BLOCKS;
import static io.chainboot.iscsi.scsi.CdbLayout.Transfer.OUT_SPECIAL;

import java.util.List;

/**
 * The SBC-3 block commands this target implements, one {@link CdbLayout} each (SBC-3 §5). Flag masks
 * name what the device server evaluates: DPO 10h and FUA 08h in byte 1 of READ/WRITE (both are honoured:
 * FUA forces the data to stable storage, DPO is accepted — there is no cache to keep it out of but the
 * host's page cache), BYTCHK in VERIFY/WRITE AND VERIFY, IMMED in PRE-FETCH, UNMAP/NDOB in WRITE SAME.
 */
final class SbcCommands {
    private SbcCommands() {}

    static final int READ_6 = 0x08;
    static final int WRITE_6 = 0x0A;
    static final int START_STOP_UNIT = 0x1B;
    static final int PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1E;
    static final int READ_CAPACITY_10 = 0x25;
    static final int READ_10 = 0x28;
    static final int WRITE_10 = 0x2A;
    static final int WRITE_AND_VERIFY_10 = 0x2E;
    static final int VERIFY_10 = 0x2F;
    static final int PRE_FETCH_10 = 0x34;
    static final int SYNCHRONIZE_CACHE_10 = 0x35;
    static final int WRITE_SAME_10 = 0x41;
    static final int UNMAP = 0x42;
    static final int COMPARE_AND_WRITE = 0x89;
    static final int READ_16 = 0x88;
    static final int WRITE_16 = 0x8A;
    static final int ORWRITE_16 = 0x8B;
    static final int WRITE_AND_VERIFY_16 = 0x8E;
    static final int VERIFY_16 = 0x8F;
    static final int PRE_FETCH_16 = 0x90;
    static final int SYNCHRONIZE_CACHE_16 = 0x91;
    static final int WRITE_SAME_16 = 0x93;
    static final int SERVICE_ACTION_IN_16 = 0x9E;
    static final int READ_12 = 0xA8;
    static final int WRITE_12 = 0xAA;
    static final int WRITE_AND_VERIFY_12 = 0xAE;
    static final int VERIFY_12 = 0xAF;
    /** SERVICE ACTION IN(16) service actions. */
    static final int SA_READ_CAPACITY_16 = 0x10;
    static final int SA_GET_LBA_STATUS = 0x12;

    private static final int DPO_FUA = 0x18;

    static final List<CdbLayout> ALL = List.of(
            CdbLayout.blocks("READ(6)", READ_6, NO_SA, 6, 1, 3, 4, 1, IN_BLOCKS, READ),
            CdbLayout.blocks("WRITE(6)", WRITE_6, NO_SA, 6, 1, 3, 4, 1, OUT_BLOCKS, WRITE),
            CdbLayout.none("START STOP UNIT", START_STOP_UNIT, 6, WRITE),
            CdbLayout.none("PREVENT ALLOW MEDIUM REMOVAL", PREVENT_ALLOW_MEDIUM_REMOVAL, 6, WRITE, 4, 0x03),
            CdbLayout.blocks("READ CAPACITY(10)", READ_CAPACITY_10, NO_SA, 10, 2, 4, 0, 0, IN, STATUS, 8, 0x01),
            rw10("READ(10)", READ_10, IN_BLOCKS, READ, DPO_FUA),
            rw10("WRITE(10)", WRITE_10, OUT_BLOCKS, WRITE, DPO_FUA),
            rw10("WRITE AND VERIFY(10)", WRITE_AND_VERIFY_10, OUT_BLOCKS, WRITE, 0x12),
            rw10("VERIFY(10)", VERIFY_10, OUT_SPECIAL, READ, 0x16),
            rw10("PRE-FETCH(10)", PRE_FETCH_10, NONE, READ, 0x02),
            rw10("SYNCHRONIZE CACHE(10)", SYNCHRONIZE_CACHE_10, NONE, WRITE, 0),
            rw10("WRITE SAME(10)", WRITE_SAME_10, OUT_SPECIAL, WRITE, 0x08),
            CdbLayout.params("UNMAP", UNMAP, NO_SA, 10, 7, 2, WRITE),
            rw16("READ(16)", READ_16, IN_BLOCKS, READ, DPO_FUA),
            rw16("WRITE(16)", WRITE_16, OUT_BLOCKS, WRITE, DPO_FUA),
            rw16("ORWRITE(16)", ORWRITE_16, OUT_BLOCKS, WRITE, DPO_FUA),
            // NUMBER OF LOGICAL BLOCKS in byte 13; the data-out is the verify data then the write data
            CdbLayout.blocks("COMPARE AND WRITE", COMPARE_AND_WRITE, NO_SA, 16, 2, 8, 13, 1, OUT_SPECIAL, WRITE, 1, DPO_FUA),
            rw16("WRITE AND VERIFY(16)", WRITE_AND_VERIFY_16, OUT_BLOCKS, WRITE, 0x12),
            rw16("VERIFY(16)", VERIFY_16, OUT_SPECIAL, READ, 0x16),
            rw16("PRE-FETCH(16)", PRE_FETCH_16, NONE, READ, 0x02),
            rw16("SYNCHRONIZE CACHE(16)", SYNCHRONIZE_CACHE_16, NONE, WRITE, 0),
            rw16("WRITE SAME(16)", WRITE_SAME_16, OUT_SPECIAL, WRITE, 0x09),
            CdbLayout.in("READ CAPACITY(16)", SERVICE_ACTION_IN_16, SA_READ_CAPACITY_16, 16, 10, 4, STATUS),
            CdbLayout.blocks("GET LBA STATUS", SERVICE_ACTION_IN_16, SA_GET_LBA_STATUS, 16, 2, 8, 10, 4, IN, READ),
            rw12("READ(12)", READ_12, IN_BLOCKS, READ, DPO_FUA),
            rw12("WRITE(12)", WRITE_12, OUT_BLOCKS, WRITE, DPO_FUA),
            rw12("WRITE AND VERIFY(12)", WRITE_AND_VERIFY_12, OUT_BLOCKS, WRITE, 0x12),
            rw12("VERIFY(12)", VERIFY_12, OUT_SPECIAL, READ, 0x16));

    private static CdbLayout rw10(String name, int op, CdbLayout.Transfer t, CdbLayout.Access a, int flags1) {
        return CdbLayout.blocks(name, op, NO_SA, 10, 2, 4, 7, 2, t, a, 1, flags1);
    }

    private static CdbLayout rw12(String name, int op, CdbLayout.Transfer t, CdbLayout.Access a, int flags1) {
        return CdbLayout.blocks(name, op, NO_SA, 12, 2, 4, 6, 4, t, a, 1, flags1);
    }

    private static CdbLayout rw16(String name, int op, CdbLayout.Transfer t, CdbLayout.Access a, int flags1) {
        return CdbLayout.blocks(name, op, NO_SA, 16, 2, 8, 10, 4, t, a, 1, flags1);
    }
}
