package io.chainboot.iscsi.scsi;

import static io.chainboot.iscsi.scsi.Cdb.u16;
import static io.chainboot.iscsi.scsi.Cdb.u32;
import static io.chainboot.iscsi.scsi.Cdb.u64;
import static io.chainboot.iscsi.scsi.Cdb.u8;
import static io.chainboot.iscsi.scsi.CdbLayout.Access.READ;
import static io.chainboot.iscsi.scsi.CdbLayout.Access.STATUS;
import static io.chainboot.iscsi.scsi.CdbLayout.Access.WRITE;
import static io.chainboot.iscsi.scsi.CdbLayout.NO_SA;
import static io.chainboot.iscsi.scsi.CdbLayout.Transfer.IN;
import static io.chainboot.iscsi.scsi.CdbLayout.Transfer.IN_BLOCKS;
import static io.chainboot.iscsi.scsi.CdbLayout.Transfer.NONE;
import static io.chainboot.iscsi.scsi.CdbLayout.Transfer.OUT_BLOCKS;

import io.chainboot.iscsi.scsi.CdbLayout.Command;
import io.chainboot.iscsi.scsi.CdbLayout.Handler;
import io.chainboot.iscsi.scsi.CdbLayout.Role;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The SBC-3 block commands this target implements: one {@link CdbLayout} row each (SBC-3 §5) in
 * {@link #ALL}, then their handlers. Flag masks
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
            CdbLayout.blocks("READ(6)", READ_6, NO_SA, 6, 1, 3, 4, 1, IN_BLOCKS, READ, Role.READ, SbcCommands::read),
            CdbLayout.blocks("WRITE(6)", WRITE_6, NO_SA, 6, 1, 3, 4, 1, OUT_BLOCKS, WRITE, Role.WRITE, SbcCommands::write),
            CdbLayout.none("START STOP UNIT", START_STOP_UNIT, 6, WRITE, SbcCommands::startStopUnit),
            CdbLayout.none("PREVENT ALLOW MEDIUM REMOVAL", PREVENT_ALLOW_MEDIUM_REMOVAL, 6, WRITE, SbcCommands::preventAllow,
                    4, 0x03),
            CdbLayout.blocks("READ CAPACITY(10)", READ_CAPACITY_10, NO_SA, 10, 2, 4, 0, 0, IN, STATUS, Role.CAPACITY,
                    SbcCommands::readCapacity10, 8, 0x01),
            rw10("READ(10)", READ_10, IN_BLOCKS, READ, DPO_FUA, Role.READ, SbcCommands::read),
            rw10("WRITE(10)", WRITE_10, OUT_BLOCKS, WRITE, DPO_FUA, Role.WRITE, SbcCommands::write),
            rw10("WRITE AND VERIFY(10)", WRITE_AND_VERIFY_10, OUT_BLOCKS, WRITE, 0x12, Role.WRITE, SbcCommands::write),
            rw10("VERIFY(10)", VERIFY_10, NONE, READ, 0x16, Role.OTHER, SbcCommands::verify)
                    .withSpecialDataOut(SbcCommands::verifyBlocks),
            rw10("PRE-FETCH(10)", PRE_FETCH_10, NONE, READ, 0x02, Role.OTHER, SbcCommands::preFetch),
            rw10("SYNCHRONIZE CACHE(10)", SYNCHRONIZE_CACHE_10, NONE, WRITE, 0, Role.OTHER, SbcCommands::synchronizeCache),
            rw10("WRITE SAME(10)", WRITE_SAME_10, NONE, WRITE, 0x08, Role.OTHER, SbcCommands::writeSame)
                    .withSpecialDataOut((row, cdb) -> 1),
            CdbLayout.params("UNMAP", UNMAP, NO_SA, 10, 7, 2, WRITE, SbcCommands::unmap),
            rw16("READ(16)", READ_16, IN_BLOCKS, READ, DPO_FUA, Role.READ, SbcCommands::read),
            rw16("WRITE(16)", WRITE_16, OUT_BLOCKS, WRITE, DPO_FUA, Role.WRITE, SbcCommands::write),
            // ORWRITE is not truncated on overflow (Role.OTHER): ORing part of the data is not what was asked
            rw16("ORWRITE(16)", ORWRITE_16, OUT_BLOCKS, WRITE, DPO_FUA, Role.OTHER, SbcCommands::write),
            // NUMBER OF LOGICAL BLOCKS in byte 13; the data-out is the verify data then the write data
            CdbLayout.blocks("COMPARE AND WRITE", COMPARE_AND_WRITE, NO_SA, 16, 2, 8, 13, 1, NONE, WRITE, Role.OTHER,
                    SbcCommands::compareAndWrite, 1, DPO_FUA).withSpecialDataOut(SbcCommands::compareAndWriteBlocks),
            rw16("WRITE AND VERIFY(16)", WRITE_AND_VERIFY_16, OUT_BLOCKS, WRITE, 0x12, Role.WRITE, SbcCommands::write),
            rw16("VERIFY(16)", VERIFY_16, NONE, READ, 0x16, Role.OTHER, SbcCommands::verify)
                    .withSpecialDataOut(SbcCommands::verifyBlocks),
            rw16("PRE-FETCH(16)", PRE_FETCH_16, NONE, READ, 0x02, Role.OTHER, SbcCommands::preFetch),
            rw16("SYNCHRONIZE CACHE(16)", SYNCHRONIZE_CACHE_16, NONE, WRITE, 0, Role.OTHER, SbcCommands::synchronizeCache),
            rw16("WRITE SAME(16)", WRITE_SAME_16, NONE, WRITE, 0x09, Role.OTHER, SbcCommands::writeSame)
                    .withSpecialDataOut((row, cdb) -> (u8(cdb, 1) & 0x01) != 0 ? 0 : 1), // NDOB: no data-out
            CdbLayout.in("READ CAPACITY(16)", SERVICE_ACTION_IN_16, SA_READ_CAPACITY_16, 16, 10, 4, STATUS,
                    SbcCommands::readCapacity16).as(Role.CAPACITY),
            CdbLayout.blocks("GET LBA STATUS", SERVICE_ACTION_IN_16, SA_GET_LBA_STATUS, 16, 2, 8, 10, 4, IN, READ,
                    Role.OTHER, SbcCommands::getLbaStatus),
            rw12("READ(12)", READ_12, IN_BLOCKS, READ, DPO_FUA, Role.READ, SbcCommands::read),
            rw12("WRITE(12)", WRITE_12, OUT_BLOCKS, WRITE, DPO_FUA, Role.WRITE, SbcCommands::write),
            rw12("WRITE AND VERIFY(12)", WRITE_AND_VERIFY_12, OUT_BLOCKS, WRITE, 0x12, Role.WRITE, SbcCommands::write),
            rw12("VERIFY(12)", VERIFY_12, NONE, READ, 0x16, Role.OTHER, SbcCommands::verify)
                    .withSpecialDataOut(SbcCommands::verifyBlocks));

    private static CdbLayout rw10(String name, int op, CdbLayout.Transfer t, CdbLayout.Access a, int flags1, Role role,
            Handler h) {
        return CdbLayout.blocks(name, op, NO_SA, 10, 2, 4, 7, 2, t, a, role, h, 1, flags1);
    }

    private static CdbLayout rw12(String name, int op, CdbLayout.Transfer t, CdbLayout.Access a, int flags1, Role role,
            Handler h) {
        return CdbLayout.blocks(name, op, NO_SA, 12, 2, 4, 6, 4, t, a, role, h, 1, flags1);
    }

    private static CdbLayout rw16(String name, int op, CdbLayout.Transfer t, CdbLayout.Access a, int flags1, Role role,
            Handler h) {
        return CdbLayout.blocks(name, op, NO_SA, 16, 2, 8, 10, 4, t, a, role, h, 1, flags1);
    }

    // ---------------------------------------------------------------- data-out sizes the length field alone does not give

    /** VERIFY (SBC-3 §5.28): BYTCHK 01b the whole range, 11b one block, else no data-out. */
    private static long verifyBlocks(CdbLayout row, byte[] cdb) {
        int bytchk = (u8(cdb, 1) >> 1) & 0x3;
        long n = row.transferLength(cdb);
        return bytchk == 1 ? n : bytchk == 3 && n > 0 ? 1 : 0;
    }

    /** COMPARE AND WRITE: the verify data, then the write data. */
    private static long compareAndWriteBlocks(CdbLayout row, byte[] cdb) {
        return 2 * row.transferLength(cdb);
    }

    // ---------------------------------------------------------------- handlers

    /** START STOP UNIT (SBC-3 §5.25): a network disk has no spindle or medium to move; accepted and ignored. */
    private static ScsiResponse startStopUnit(Command x) {
        return ScsiResponse.good();
    }


    /** PREVENT ALLOW MEDIUM REMOVAL (SBC-3 §5.12): recorded; the medium is not removable (RMB=0). */
    private static ScsiResponse preventAllow(Command x) {
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
        lu.preventRemoval = (cdb[4] & 0x03) != 0;
        return ScsiResponse.good();
    }


    /** READ CAPACITY(10) (SBC-3 §5.15): 0xFFFFFFFF when the last LBA does not fit in 32 bits. */
    private static ScsiResponse readCapacity10(Command x) {
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
        if (cdb.length < 10) {
            return ScsiResponse.checkCondition(Sense.invalidOpcode());
        }
        boolean pmi = (cdb[8] & 0x01) != 0;
        if (!pmi && u32(cdb, 2) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(2, -1));
        }
        byte[] d = new byte[8];
        Cdb.put32(d, 0, Math.min(lu.device.blocks() - 1, 0xFFFFFFFFL));
        Cdb.put32(d, 4, lu.device.blockSize());
        return ScsiResponse.good(ByteBuffer.wrap(d));
    }


    /** READ CAPACITY(16) (SBC-3 §5.16), with LBPME/LBPRZ for thin devices. */
    private static ScsiResponse readCapacity16(Command x) {
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
        BlockDevice dev = lu.device;
        byte[] d = new byte[32];
        Cdb.put64(d, 0, dev.blocks() - 1);
        Cdb.put32(d, 8, dev.blockSize());
        d[13] = (byte) Inquiry.LBPPBE;
        if (dev.isThin()) {
            d[14] = (byte) (0x80 | (dev.unmappedReadsZero() ? 0x40 : 0));
        }
        return ScsiResponse.sized(d, u32(cdb, 10));
    }


    /** GET LBA STATUS (SBC-3 §5.7): one descriptor from the starting LBA. */
    private static ScsiResponse getLbaStatus(Command x) throws IOException {
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
        long lba = u64(cdb, 2);
        long alloc = u32(cdb, 10);
        BlockDevice dev = lu.device;
        if (Long.compareUnsigned(lba, dev.blocks()) >= 0) {
            return ScsiResponse.checkCondition(Sense.lbaOutOfRange());
        }
        BlockDevice.Extent e = dev.extentAt(lba);
        byte[] d = new byte[24];
        Cdb.put32(d, 0, 20);
        Cdb.put64(d, 8, lba);
        Cdb.put32(d, 16, Math.min(Math.max(1, e.count()), 0xFFFFFFFFL));
        d[20] = (byte) (e.mapped() ? 0 : 1);
        return ScsiResponse.sized(d, alloc);
    }


    /** SBC-3 §4.5: LBA + count must not pass the capacity (a 0-block command may name the LBA just past the end). */
    private static boolean outOfRange(long lba, long count, long blocks) {
        return Long.compareUnsigned(lba, blocks) > 0 || Long.compareUnsigned(count, blocks - lba) > 0;
    }


    /** READ(6/10/12/16) (SBC-3 §5.8-5.11): straight from the file into the transport's buffer; DPO/FUA accepted. */
    private static ScsiResponse read(Command x) throws IOException {
        CdbLayout c = x.layout();
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
        IntFunction<ByteBuffer> alloc = x.buffers();
        if (c.opcode() != SbcCommands.READ_6 && (cdb[1] & 0xE0) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 7)); // RDPROTECT: no protection information
        }
        long lba = c.lba(cdb);
        long count = c.transferLength(cdb);
        BlockDevice dev = lu.device;
        if (outOfRange(lba, count, dev.blocks())) {
            return ScsiResponse.checkCondition(Sense.lbaOutOfRange());
        }
        if (count > Inquiry.MAX_TRANSFER_BLOCKS) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(c.lengthField(), -1));
        }
        if (count == 0) {
            return ScsiResponse.good();
        }
        int bytes = (int) count * dev.blockSize();
        ByteBuffer buf = alloc.apply(bytes);
        int start = buf.position();
        dev.read(lba, (int) count, buf);
        buf.limit(buf.position()).position(start);
        return ScsiResponse.good(buf);
    }


    /**
     * WRITE(6/10/12/16), WRITE AND VERIFY(10/12/16) (SBC-3 §5.32-5.40) and ORWRITE(16) (SBC-3 §5.13: the
     * data-out ORed into the blocks, read-modify-write under the LU's lock); FUA and WCE=0 force to stable
     * storage.
     */
    private static ScsiResponse write(Command x) throws IOException {
        CdbLayout c = x.layout();
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
        ByteBuffer dataOut = x.dataOut();
        int op = c.opcode();
        boolean verify = op == SbcCommands.WRITE_AND_VERIFY_10 || op == SbcCommands.WRITE_AND_VERIFY_12
                || op == SbcCommands.WRITE_AND_VERIFY_16;
        if (op != SbcCommands.WRITE_6 && (cdb[1] & 0xE0) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 7)); // WRPROTECT / ORPROTECT
        }
        if (verify && (cdb[1] & 0x04) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 2)); // BYTCHK 1xb reserved
        }
        long lba = c.lba(cdb);
        long count = c.transferLength(cdb);
        BlockDevice dev = lu.device;
        if (outOfRange(lba, count, dev.blocks())) {
            return ScsiResponse.checkCondition(Sense.lbaOutOfRange());
        }
        if (count > Inquiry.MAX_TRANSFER_BLOCKS) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(c.lengthField(), -1));
        }
        if (dev.readOnly()) {
            return ScsiResponse.checkCondition(Sense.writeProtected());
        }
        if (count == 0) {
            return ScsiResponse.good();
        }
        long bytes = count * dev.blockSize();
        if (dataOut == null || dataOut.remaining() < bytes) {
            // the initiator sent less than the CDB asks for (iSCSI overflow): write nothing (SPC-4 §4.5.? / FCP-4 9.4.2 b)
            return ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_INFORMATION_UNIT));
        }
        boolean fua = verify || (op != SbcCommands.WRITE_6 && (cdb[1] & 0x08) != 0) || !lu.writeCacheEnabled;
        if (op == SbcCommands.ORWRITE_16) {
            synchronized (lu) {
                ByteBuffer merged = ByteBuffer.allocate((int) bytes);
                dev.read(lba, (int) count, merged);
                ByteBuffer src = dataOut.duplicate();
                int base = src.position();
                for (int i = 0; i < bytes; i++) {
                    merged.put(i, (byte) (merged.get(i) | src.get(base + i)));
                }
                merged.clear();
                dev.write(lba, (int) count, merged, fua);
            }
            return ScsiResponse.good();
        }
        dev.write(lba, (int) count, dataOut.duplicate(), fua);
        return ScsiResponse.good();
    }


    /** VERIFY(10/12/16) (SBC-3 §5.28-5.30): BYTCHK 00b range only, 01b compare, 11b compare one block with each. */
    private static ScsiResponse verify(Command x) throws IOException {
        CdbLayout c = x.layout();
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
        ByteBuffer dataOut = x.dataOut();
        if ((cdb[1] & 0xE0) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 7)); // VRPROTECT
        }
        int bytchk = (cdb[1] >> 1) & 0x3;
        if (bytchk == 2) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 2));
        }
        long lba = c.lba(cdb);
        long count = c.transferLength(cdb);
        BlockDevice dev = lu.device;
        if (outOfRange(lba, count, dev.blocks())) {
            return ScsiResponse.checkCondition(Sense.lbaOutOfRange());
        }
        if (count > Inquiry.MAX_TRANSFER_BLOCKS) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(c.lengthField(), -1));
        }
        if (count == 0 || bytchk == 0) {
            return ScsiResponse.good();
        }
        int bs = dev.blockSize();
        long expected = bytchk == 1 ? count * bs : bs;
        if (dataOut == null || dataOut.remaining() < expected) {
            return ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_INFORMATION_UNIT));
        }
        ByteBuffer disk = ByteBuffer.allocate((int) count * bs);
        dev.read(lba, (int) count, disk);
        disk.flip();
        ByteBuffer want = dataOut.duplicate();
        int base = want.position();
        for (int i = 0; i < disk.limit(); i++) {
            int wi = bytchk == 1 ? i : i % bs;
            if (disk.get(i) != want.get(base + wi)) {
                return ScsiResponse.checkCondition(Sense.miscompare(i));
            }
        }
        return ScsiResponse.good();
    }


    /**
     * COMPARE AND WRITE (SBC-3 §5.2): the first half of the data-out is compared with the blocks; equal,
     * the second half is written (FUA honoured), else MISCOMPARE with the offset of the first differing
     * byte and nothing written. Compare and write hold the LU's lock, as ORWRITE does. An expected data
     * transfer length other than twice the blocks (a count of 256 wraps to 0 in the one-byte field) is
     * INVALID FIELD IN CDB, as libiscsi's CompareAndWrite tests expect.
     */
    private static ScsiResponse compareAndWrite(Command x) throws IOException {
        CdbLayout c = x.layout();
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
        ByteBuffer dataOut = x.dataOut();
        int expectedLength = x.request().expectedDataTransferLength();
        if ((cdb[1] & 0xE0) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 7)); // WRPROTECT
        }
        long lba = c.lba(cdb);
        long count = c.transferLength(cdb);
        BlockDevice dev = lu.device;
        // the one-byte block count must agree with what the initiator sends (256 blocks would read as 0)
        if (count > Inquiry.MAX_COMPARE_AND_WRITE_BLOCKS || expectedLength != 2 * count * dev.blockSize()) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(c.lengthField(), -1));
        }
        if (outOfRange(lba, count, dev.blocks())) {
            return ScsiResponse.checkCondition(Sense.lbaOutOfRange());
        }
        if (dev.readOnly()) {
            return ScsiResponse.checkCondition(Sense.writeProtected());
        }
        if (count == 0) {
            return ScsiResponse.good();
        }
        int bytes = (int) count * dev.blockSize();
        if (dataOut == null || dataOut.remaining() < 2 * bytes) {
            return ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_INFORMATION_UNIT));
        }
        boolean fua = (cdb[1] & 0x08) != 0 || !lu.writeCacheEnabled;
        synchronized (lu) {
            ByteBuffer disk = ByteBuffer.allocate(bytes);
            dev.read(lba, (int) count, disk);
            ByteBuffer src = dataOut.duplicate();
            int base = src.position();
            for (int i = 0; i < bytes; i++) {
                if (disk.get(i) != src.get(base + i)) {
                    return ScsiResponse.checkCondition(Sense.miscompare(i));
                }
            }
            ByteBuffer write = dataOut.duplicate();
            write.position(base + bytes).limit(base + 2 * bytes);
            dev.write(lba, (int) count, write.slice(), fua);
        }
        return ScsiResponse.good();
    }


    /**
     * PRE-FETCH(10/16) (SBC-3 §5.9, §5.10): range checked, then GOOD — the status for "not all of the
     * blocks are now in the cache": the only cache is the host's page cache, which the target does not
     * control (IMMED makes no difference).
     */
    private static ScsiResponse preFetch(Command x) {
        CdbLayout c = x.layout();
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
        if (outOfRange(c.lba(cdb), c.transferLength(cdb), lu.device.blocks())) {
            return ScsiResponse.checkCondition(Sense.lbaOutOfRange());
        }
        return ScsiResponse.good();
    }


    /** SYNCHRONIZE CACHE(10/16) (SBC-3 §5.22, §5.23): force(false) of the whole device, range checked. */
    private static ScsiResponse synchronizeCache(Command x) throws IOException {
        CdbLayout c = x.layout();
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
        long lba = c.lba(cdb);
        long count = c.transferLength(cdb);
        BlockDevice dev = lu.device;
        if (outOfRange(lba, count, dev.blocks())) {
            return ScsiResponse.checkCondition(Sense.lbaOutOfRange());
        }
        dev.flush();
        return ScsiResponse.good();
    }


    /**
     * WRITE SAME(10/16) (SBC-3 §5.41, §5.42). With UNMAP on a thin device the range is deallocated
     * (a metadata operation); otherwise the block is replicated with large writes.
     */
    private static ScsiResponse writeSame(Command x) throws IOException {
        CdbLayout c = x.layout();
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
        ScsiRequest rq = x.request();
        ByteBuffer dataOut = rq.dataOut();
        int flags = cdb[1] & 0xFF;
        boolean ndob = c.opcode() == SbcCommands.WRITE_SAME_16 && (flags & 0x01) != 0;
        boolean unmap = (flags & 0x08) != 0;
        if ((flags & 0xE0) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 7)); // WRPROTECT
        }
        if ((flags & 0x10) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 4)); // ANCHOR: ANC_SUP = 0
        }
        if ((flags & 0x06) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, (flags & 0x04) != 0 ? 2 : 1)); // PBDATA/LBDATA
        }
        BlockDevice dev = lu.device;
        long blocks = dev.blocks();
        long lba = c.lba(cdb);
        long count = c.transferLength(cdb);
        if (Long.compareUnsigned(lba, blocks) >= 0) {
            return ScsiResponse.checkCondition(Sense.lbaOutOfRange());
        }
        if (count == 0) { // WSNZ = 0: to the last LBA
            count = blocks - lba;
        }
        if (count > Inquiry.MAX_WRITE_SAME_BLOCKS) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(c.lengthField(), -1));
        }
        if (outOfRange(lba, count, blocks)) {
            return ScsiResponse.checkCondition(Sense.lbaOutOfRange());
        }
        int bs = dev.blockSize();
        // exactly one block of data-out, as the initiator declared it too (libiscsi WriteSame*.InvalidDataOutSize)
        if (!ndob && (dataOut == null || dataOut.remaining() != bs || rq.expectedDataTransferLength() != bs)) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(c.lengthField(), -1));
        }
        if (dev.readOnly()) {
            return ScsiResponse.checkCondition(Sense.writeProtected());
        }
        if (unmap && dev.isThin()) {
            dev.unmap(lba, count);
            if (!lu.writeCacheEnabled) {
                dev.flush();
            }
            return ScsiResponse.good();
        }
        byte[] block = new byte[bs];
        if (!ndob) {
            dataOut.duplicate().get(block);
        }
        int chunkBlocks = (int) Math.min(count, (1 << 20) / bs);
        ByteBuffer chunk = ByteBuffer.allocate(chunkBlocks * bs);
        for (int i = 0; i < chunkBlocks; i++) {
            chunk.put(block);
        }
        long done = 0;
        while (done < count) {
            int n = (int) Math.min(chunkBlocks, count - done);
            chunk.clear();
            dev.write(lba + done, n, chunk, false);
            done += n;
        }
        if (!lu.writeCacheEnabled) {
            dev.flush();
        }
        return ScsiResponse.good();
    }


    /** UNMAP (SBC-3 §5.27): all descriptors validated first, then deallocated. */
    private static ScsiResponse unmap(Command x) throws IOException {
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
        ByteBuffer dataOut = x.dataOut();
        if (cdb.length < 10) {
            return ScsiResponse.checkCondition(Sense.invalidOpcode());
        }
        BlockDevice dev = lu.device;
        if ((cdb[1] & 0x01) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 0)); // ANCHOR
        }
        if (dev.readOnly()) {
            return ScsiResponse.checkCondition(Sense.writeProtected());
        }
        if (!dev.isThin()) {
            return ScsiResponse.checkCondition(Sense.invalidOpcode());
        }
        int len = u16(cdb, 7);
        if (len == 0) {
            return ScsiResponse.good();
        }
        if (len < 8) {
            return ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.PARAMETER_LIST_LENGTH_ERROR));
        }
        byte[] p = Cdb.bytes(dataOut, len);
        if (p.length < 8) {
            return ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.PARAMETER_LIST_LENGTH_ERROR));
        }
        int descBytes = Math.min(u16(p, 2), p.length - 8) & ~15;
        int n = descBytes / 16;
        if (n > Inquiry.MAX_UNMAP_DESCRIPTORS) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInParameterList(2, -1));
        }
        long blocks = dev.blocks();
        for (int i = 0; i < n; i++) {
            int o = 8 + 16 * i;
            if (outOfRange(u64(p, o), u32(p, o + 8), blocks)) {
                return ScsiResponse.checkCondition(Sense.lbaOutOfRange());
            }
        }
        for (int i = 0; i < n; i++) {
            int o = 8 + 16 * i;
            dev.unmap(u64(p, o), u32(p, o + 8));
        }
        if (!lu.writeCacheEnabled) {
            dev.flush();
        }
        return ScsiResponse.good();
    }

    // ---------------------------------------------------------------- helpers
}
