package io.chainboot.iscsi.scsi;

import static io.chainboot.iscsi.scsi.Cdb.u16;
import static io.chainboot.iscsi.scsi.Cdb.u24;
import static io.chainboot.iscsi.scsi.Cdb.u32;
import static io.chainboot.iscsi.scsi.Cdb.u64;
import static io.chainboot.iscsi.scsi.Cdb.u8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.jboss.logging.Logger;

/**
 * A target of direct-access block devices: the SPC-4 primary commands and the SBC-3 block
 * commands over {@link BlockDevice}s. Stateless per command except unit attentions and mode
 * parameters, kept per {@link LogicalUnit}; safe for concurrent use by many sessions.
 */
final class DiskTarget implements ScsiTarget {
    private static final Logger LOG = Logger.getLogger(DiskTarget.class);

    private final String targetName;
    private final LogicalUnit[] luns;

    DiskTarget(String targetName, List<BlockDevice> devices) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("a target needs at least LUN 0");
        }
        this.targetName = targetName;
        List<LogicalUnit> l = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            BlockDevice d = devices.get(i);
            if (d.blockSize() <= 0 || d.blockSize() % 512 != 0) {
                throw new IllegalArgumentException("block size " + d.blockSize() + " of LUN " + i);
            }
            try {
                l.add(new LogicalUnit(targetName, i, d));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        this.luns = l.toArray(new LogicalUnit[0]);
    }

    @Override
    public String targetName() {
        return targetName;
    }

    @Override
    public int luns() {
        return luns.length;
    }

    @Override
    public ScsiResponse execute(ScsiRequest request) {
        return execute(request, ByteBuffer::allocate);
    }

    /**
     * The command measured against the expected transfer length ({@link ExpectedTransfer}): a data-out
     * command (the transport has data-out for it, or expects no data while the CDB would move some) runs
     * on the bytes its CDB covers, an overflowing write truncated; a data-in answer is cut to EDTL. Both
     * carry their residual; a GOOD READ CAPACITY or READ feeds the session's {@link LunAttach}.
     */
    @Override
    public ScsiResponse execute(ScsiRequest request, IntFunction<ByteBuffer> dataInBuffers) {
        int edtl = request.expectedDataTransferLength();
        ByteBuffer out = request.dataOut();
        int tl = out != null || edtl == 0 ? dataOutLength(request.cdb()) : 0;
        if (out == null && tl == 0) {
            return attach(request, ExpectedTransfer.dataIn(command(request, dataInBuffers), edtl));
        }
        ExpectedTransfer.WritePlan plan = ExpectedTransfer.write(request.cdb(), tl, edtl,
                luns[0].device.blockSize());
        if (plan instanceof ExpectedTransfer.Answer a) {
            return a.response();
        }
        ExpectedTransfer.Execute e = (ExpectedTransfer.Execute) plan;
        ByteBuffer used = out == null ? ByteBuffer.allocate(0) : out.duplicate();
        used.limit(Math.min(used.limit(), used.position() + e.bytes()));
        ScsiResponse r = command(new ScsiRequest(request.nexus(), request.lun(), e.cdb(), used, edtl,
                request.attach()), dataInBuffers);
        return r.withTransfer(null, e.residual(), r.status() == ScsiResponse.GOOD ? used.remaining() : 0);
    }

    /** LUN attach = first GOOD READ CAPACITY plus first GOOD READ of the session, reported on the completing answer. */
    private ScsiResponse attach(ScsiRequest request, ScsiResponse r) {
        LunAttach watch = request.attach();
        byte[] cdb = request.cdb();
        if (watch == null || r.status() != ScsiResponse.GOOD || cdb == null || cdb.length < 6
                || request.lun() < 0 || request.lun() >= luns.length) {
            return r;
        }
        CdbLayout c = CommandSet.of(cdb);
        if (c == null) {
            return r;
        }
        BlockDevice d = luns[(int) request.lun()].device;
        return switch (c.opcode()) {
            case SbcCommands.READ_CAPACITY_10 -> r.withAttached(watch.capacity(request.lun(), d.blocks(), d.blockSize()));
            case SbcCommands.SERVICE_ACTION_IN_16 -> c.serviceAction() == SbcCommands.SA_READ_CAPACITY_16
                    ? r.withAttached(watch.capacity(request.lun(), d.blocks(), d.blockSize())) : r;
            case SbcCommands.READ_6, SbcCommands.READ_10, SbcCommands.READ_12, SbcCommands.READ_16 ->
                    r.withAttached(watch.read(request.lun()));
            default -> r;
        };
    }

    /** One command as the device server runs it, on exactly the data-out it is given. */
    private ScsiResponse command(ScsiRequest request, IntFunction<ByteBuffer> dataInBuffers) {
        byte[] cdb = request.cdb();
        if (cdb == null || cdb.length < 6) {
            return ScsiResponse.checkCondition(Sense.invalidOpcode());
        }
        int op = cdb[0] & 0xFF;
        if (op == SpcCommands.REPORT_LUNS) { // served by every LUN, known or not (SPC-4 §6.33)
            return reportLuns(cdb);
        }
        long lunIndex = request.lun();
        if (lunIndex < 0 || lunIndex >= luns.length) {
            return unknownLun(op, cdb);
        }
        LogicalUnit lu = luns[(int) lunIndex];
        if (op != SpcCommands.INQUIRY && op != SpcCommands.REQUEST_SENSE) {
            int ua = lu.takeUnitAttention(request.nexus());
            if (ua >= 0) {
                return ScsiResponse.checkCondition(Sense.of(Sense.UNIT_ATTENTION, ua));
            }
        }
        CdbLayout c = CommandSet.of(cdb);
        if (c == null) { // not in the command table: not served (and not reported by REPORT SUPPORTED OPCODES)
            return ScsiResponse.checkCondition(CommandSet.hasServiceActions(op) ? Sense.invalidFieldInCdb(1, 4)
                    : Sense.invalidOpcode());
        }
        if (cdb.length < c.length()) {
            return ScsiResponse.checkCondition(Sense.invalidOpcode());
        }
        if (lu.reservations.conflicts(request.nexus(), c.access())) {
            return new ScsiResponse(ScsiResponse.RESERVATION_CONFLICT, null, null);
        }
        try {
            return dispatch(c, cdb, lu, request, dataInBuffers);
        } catch (SpaceAllocationFailedException e) {
            LOG.warnf("no space on %s LUN %d (%s), opcode %02x: %s", targetName, lu.lun, lu.device, op, e.getMessage());
            return ScsiResponse.checkCondition(Sense.of(Sense.DATA_PROTECT, Sense.SPACE_ALLOCATION_FAILED_WRITE_PROTECT));
        } catch (IOException e) {
            boolean write = dataOutLength(cdb) > 0;
            LOG.warnf(e, "I/O error on %s LUN %d (%s), opcode %02x", targetName, lu.lun, lu.device, op);
            return ScsiResponse.checkCondition(Sense.of(Sense.MEDIUM_ERROR,
                    write ? Sense.WRITE_ERROR : Sense.UNRECOVERED_READ_ERROR));
        } catch (RuntimeException e) {
            // a bug in a BlockDevice (or here) must not take the session down with it
            LOG.errorf(e, "internal failure on %s LUN %d (%s), opcode %02x", targetName, lu.lun, lu.device, op);
            return ScsiResponse.checkCondition(Sense.of(Sense.HARDWARE_ERROR, Sense.INTERNAL_TARGET_FAILURE));
        }
    }

    private ScsiResponse dispatch(CdbLayout c, byte[] cdb, LogicalUnit lu, ScsiRequest rq,
            IntFunction<ByteBuffer> alloc) throws IOException {
        switch (c.opcode()) {
            case SpcCommands.TEST_UNIT_READY:
                return ScsiResponse.good();
            case SpcCommands.REQUEST_SENSE:
                return requestSense(cdb, lu, rq.nexus());
            case SpcCommands.INQUIRY:
                return inquiry(cdb, lu);
            case SpcCommands.MODE_SENSE_6:
            case SpcCommands.MODE_SENSE_10:
                return modeSense(c.opcode(), cdb, lu);
            case SpcCommands.MODE_SELECT_6:
            case SpcCommands.MODE_SELECT_10:
                return modeSelect(c.opcode(), cdb, lu, rq);
            case SpcCommands.RESERVE_6:
                return lu.reservations.reserve6(rq.nexus());
            case SpcCommands.RELEASE_6:
                return lu.reservations.release6(rq.nexus());
            case SpcCommands.PERSISTENT_RESERVE_IN:
                return lu.reservations.in(cdb, rq.nexus());
            case SpcCommands.PERSISTENT_RESERVE_OUT:
                return lu.reservations.out(cdb, rq.dataOut(), rq.nexus(), lu::raise);
            case SpcCommands.MAINTENANCE_IN: // the table holds only REPORT SUPPORTED OPERATION CODES
                return CommandSet.reportSupported(cdb);
            case SbcCommands.READ_CAPACITY_10:
                return readCapacity10(cdb, lu);
            case SbcCommands.SERVICE_ACTION_IN_16:
                return c.serviceAction() == SbcCommands.SA_READ_CAPACITY_16 ? readCapacity16(cdb, lu)
                        : getLbaStatus(cdb, lu);
            case SbcCommands.READ_6:
            case SbcCommands.READ_10:
            case SbcCommands.READ_12:
            case SbcCommands.READ_16:
                return read(c, cdb, lu, alloc);
            case SbcCommands.WRITE_6:
            case SbcCommands.WRITE_10:
            case SbcCommands.WRITE_12:
            case SbcCommands.WRITE_16:
            case SbcCommands.WRITE_AND_VERIFY_10:
            case SbcCommands.WRITE_AND_VERIFY_12:
            case SbcCommands.WRITE_AND_VERIFY_16:
            case SbcCommands.ORWRITE_16:
                return write(c, cdb, lu, rq.dataOut());
            case SbcCommands.VERIFY_10:
            case SbcCommands.VERIFY_12:
            case SbcCommands.VERIFY_16:
                return verify(c, cdb, lu, rq.dataOut());
            case SbcCommands.COMPARE_AND_WRITE:
                return compareAndWrite(c, cdb, lu, rq.dataOut(), rq.expectedDataTransferLength());
            case SbcCommands.PRE_FETCH_10:
            case SbcCommands.PRE_FETCH_16:
                return preFetch(c, cdb, lu);
            case SbcCommands.SYNCHRONIZE_CACHE_10:
            case SbcCommands.SYNCHRONIZE_CACHE_16:
                return synchronizeCache(c, cdb, lu);
            case SbcCommands.WRITE_SAME_10:
            case SbcCommands.WRITE_SAME_16:
                return writeSame(c, cdb, lu, rq);
            case SbcCommands.UNMAP:
                return unmap(cdb, lu, rq.dataOut());
            case SbcCommands.START_STOP_UNIT:
                return startStopUnit(cdb);
            case SbcCommands.PREVENT_ALLOW_MEDIUM_REMOVAL:
                return preventAllow(cdb, lu);
            default: // a table row without a case here is a bug, caught by DiskTargetTest
                throw new IllegalStateException("no handler for " + c.name());
        }
    }

    // ---------------------------------------------------------------- transfer lengths

    @Override
    public int dataOutLength(byte[] cdb) {
        if (cdb == null || cdb.length < 6) {
            return 0;
        }
        CdbLayout c = CommandSet.of(cdb);
        if (c == null || cdb.length < c.length()) {
            return 0;
        }
        long blocks;
        switch (c.transfer()) {
            case OUT_PARAMETERS:
                return (int) Math.min(c.transferLength(cdb), Integer.MAX_VALUE);
            case OUT_BLOCKS:
                blocks = c.transferLength(cdb);
                break;
            case OUT_SPECIAL:
                blocks = specialDataOutBlocks(c, cdb);
                break;
            default:
                return 0;
        }
        // all LUNs of a Chainboot target have 512-byte blocks; clamp to the largest transfer we accept
        long bytes = Math.min(blocks, (long) Inquiry.MAX_TRANSFER_BLOCKS + 1) * luns[0].device.blockSize();
        return (int) Math.min(bytes, Integer.MAX_VALUE);
    }

    /** VERIFY: BYTCHK 01b the whole range, 11b one block, else none; WRITE SAME: one block unless NDOB. */
    private static long specialDataOutBlocks(CdbLayout c, byte[] cdb) {
        return switch (c.opcode()) {
            case SbcCommands.VERIFY_10, SbcCommands.VERIFY_12, SbcCommands.VERIFY_16 -> {
                int bytchk = (u8(cdb, 1) >> 1) & 0x3;
                long n = c.transferLength(cdb);
                yield bytchk == 1 ? n : bytchk == 3 && n > 0 ? 1 : 0;
            }
            case SbcCommands.WRITE_SAME_16 -> (u8(cdb, 1) & 0x01) != 0 ? 0 : 1; // NDOB
            case SbcCommands.COMPARE_AND_WRITE -> 2 * c.transferLength(cdb); // verify data + write data
            default -> 1; // WRITE SAME(10)
        };
    }

    // ---------------------------------------------------------------- task management

    @Override
    public void lunReset(long lun) {
        if (lun >= 0 && lun < luns.length) {
            luns[(int) lun].reset();
        }
    }

    @Override
    public void targetReset() {
        for (LogicalUnit lu : luns) {
            lu.reset();
        }
    }

    @Override
    public void nexusLost(Nexus nexus) {
        for (LogicalUnit lu : luns) {
            lu.forget(nexus);
        }
    }

    // ---------------------------------------------------------------- SPC-4 commands

    private ScsiResponse unknownLun(int op, byte[] cdb) {
        if (op == SpcCommands.INQUIRY && (cdb[1] & 0x01) == 0) {
            // SPC-4 §6.6.2: standard data with PERIPHERAL QUALIFIER 011b for a LUN that does not exist
            return sized(Inquiry.standard(false), u16(cdb, 3));
        }
        if (op == SpcCommands.REQUEST_SENSE) {
            return sized(Sense.of(Sense.ILLEGAL_REQUEST, Sense.LOGICAL_UNIT_NOT_SUPPORTED), u8(cdb, 4));
        }
        return ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.LOGICAL_UNIT_NOT_SUPPORTED));
    }

    /** REPORT LUNS (SPC-4 §6.33); LUNs below 256 use peripheral device addressing, others flat space (SAM-5 §4.7). */
    private ScsiResponse reportLuns(byte[] cdb) {
        if (cdb.length < 12) {
            return ScsiResponse.checkCondition(Sense.invalidOpcode());
        }
        int select = u8(cdb, 2);
        if (select > 2) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(2, -1));
        }
        long alloc = u32(cdb, 6);
        if (alloc < 16) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(6, -1));
        }
        int n = select == 1 ? 0 : luns.length; // 01h: well-known LUNs only, we have none
        byte[] d = new byte[8 + 8 * n];
        Cdb.put32(d, 0, 8L * n);
        for (int i = 0; i < n; i++) {
            if (i < 256) {
                d[8 + 8 * i + 1] = (byte) i;
            } else {
                d[8 + 8 * i] = (byte) (0x40 | (i >> 8));
                d[8 + 8 * i + 1] = (byte) i;
            }
        }
        return sized(d, alloc);
    }

    /** REQUEST SENSE (SPC-4 §6.39): reports (and clears) a pending unit attention, else NO SENSE. */
    private ScsiResponse requestSense(byte[] cdb, LogicalUnit lu, Nexus nexus) {
        if ((cdb[1] & 0x01) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 0)); // DESC: descriptor format not supported
        }
        int ua = lu.takeUnitAttention(nexus);
        byte[] sense = ua >= 0 ? Sense.of(Sense.UNIT_ATTENTION, ua) : Sense.of(Sense.NO_SENSE, Sense.NO_ADDITIONAL_SENSE);
        return sized(sense, u8(cdb, 4));
    }

    /** INQUIRY (SPC-4 §6.6). */
    private ScsiResponse inquiry(byte[] cdb, LogicalUnit lu) {
        boolean evpd = (cdb[1] & 0x01) != 0;
        int page = u8(cdb, 2);
        int alloc = u16(cdb, 3);
        if ((cdb[1] & 0x02) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 1)); // CMDDT (obsolete)
        }
        if (!evpd) {
            if (page != 0) {
                return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(2, -1));
            }
            return sized(Inquiry.standard(true), alloc);
        }
        byte[] d;
        switch (page) {
            case 0x00:
                d = Inquiry.supportedPages();
                break;
            case 0x80:
                d = Inquiry.unitSerial(lu.device.serial());
                break;
            case 0x83:
                d = Inquiry.deviceIdentification(lu, targetName);
                break;
            case 0xB0:
                d = Inquiry.blockLimits(lu.device);
                break;
            case 0xB1:
                d = Inquiry.blockDeviceCharacteristics();
                break;
            case 0xB2:
                d = Inquiry.logicalBlockProvisioning(lu.device);
                break;
            default:
                return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(2, -1));
        }
        return sized(d, alloc);
    }

    /** MODE SENSE(6)/(10) (SPC-4 §6.11, §6.12). */
    private ScsiResponse modeSense(int op, byte[] cdb, LogicalUnit lu) {
        boolean ten = op == SpcCommands.MODE_SENSE_10;
        if (ten && cdb.length < 10) {
            return ScsiResponse.checkCondition(Sense.invalidOpcode());
        }
        boolean dbd = (cdb[1] & 0x08) != 0;
        boolean llbaa = ten && (cdb[1] & 0x10) != 0;
        int pc = (u8(cdb, 2) >> 6) & 0x3;
        int code = u8(cdb, 2) & 0x3F;
        int subpage = u8(cdb, 3);
        int alloc = ten ? u16(cdb, 7) : u8(cdb, 4);
        if (pc == ModePages.PC_SAVED) {
            return ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.SAVING_PARAMETERS_NOT_SUPPORTED));
        }
        if (code != ModePages.ALL_PAGES && !ModePages.exists(code)) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(2, 5));
        }
        if (subpage != 0 && !(code == ModePages.ALL_PAGES && subpage == 0xFF)) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(3, -1));
        }
        byte[] pages = ModePages.pages(code, pc, lu);
        BlockDevice dev = lu.device;
        int bdLen = dbd ? 0 : llbaa ? 16 : 8;
        int hdr = ten ? 8 : 4;
        byte[] d = new byte[hdr + bdLen + pages.length];
        int deviceSpecific = (dev.readOnly() ? 0x80 : 0) | 0x10; // WP, DPOFUA
        if (ten) {
            Cdb.put16(d, 0, d.length - 2);
            d[3] = (byte) deviceSpecific;
            d[4] = (byte) (llbaa && !dbd ? 0x01 : 0x00);
            Cdb.put16(d, 6, bdLen);
        } else {
            d[0] = (byte) (d.length - 1);
            d[2] = (byte) deviceSpecific;
            d[3] = (byte) bdLen;
        }
        if (bdLen == 8) { // short LBA block descriptor (SBC-3 §6.4.2)
            Cdb.put32(d, hdr, Math.min(dev.blocks(), 0xFFFFFFFFL));
            Cdb.put32(d, hdr + 4, dev.blockSize()); // byte 4 reserved, 5..7 length
            d[hdr + 4] = 0;
        } else if (bdLen == 16) { // long LBA block descriptor
            Cdb.put64(d, hdr, dev.blocks());
            Cdb.put32(d, hdr + 12, dev.blockSize());
        }
        System.arraycopy(pages, 0, d, hdr + bdLen, pages.length);
        return sized(d, alloc);
    }

    /** MODE SELECT(6)/(10) (SPC-4 §6.9, §6.10). */
    private ScsiResponse modeSelect(int op, byte[] cdb, LogicalUnit lu, ScsiRequest rq) {
        boolean ten = op == SpcCommands.MODE_SELECT_10;
        if (ten && cdb.length < 10) {
            return ScsiResponse.checkCondition(Sense.invalidOpcode());
        }
        if ((cdb[1] & 0x01) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 0)); // SP: no saved pages
        }
        int len = ten ? u16(cdb, 7) : u8(cdb, 4);
        if (len == 0) {
            return ScsiResponse.good();
        }
        byte[] p = bytes(rq.dataOut(), len);
        int hdr = ten ? 8 : 4;
        if (p.length < len || len < hdr) {
            return ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.PARAMETER_LIST_LENGTH_ERROR));
        }
        int bdLen = ten ? u16(p, 6) : u8(p, 3);
        boolean longLba = ten && (p[4] & 0x01) != 0;
        if (hdr + bdLen > len) {
            return ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.PARAMETER_LIST_LENGTH_ERROR));
        }
        int descLen = longLba ? 16 : 8;
        if (bdLen % descLen != 0 || bdLen > descLen) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInParameterList(ten ? 6 : 3, -1));
        }
        if (bdLen > 0) { // block descriptor: the block length cannot change; the block count may only restate ours
            int bl = longLba ? (int) u32(p, hdr + 12) : u24(p, hdr + 5);
            long nb = longLba ? u64(p, hdr) : u32(p, hdr);
            if (bl != lu.device.blockSize()) {
                return ScsiResponse.checkCondition(Sense.invalidFieldInParameterList(hdr + (longLba ? 12 : 5), -1));
            }
            long ours = longLba ? lu.device.blocks() : Math.min(lu.device.blocks(), 0xFFFFFFFFL);
            if (nb != 0 && nb != ours) {
                return ScsiResponse.checkCondition(Sense.invalidFieldInParameterList(hdr, -1));
            }
        }
        byte[] pages = new byte[len - hdr - bdLen];
        System.arraycopy(p, hdr + bdLen, pages, 0, pages.length);
        byte[] r = ModePages.select(pages, 0, lu);
        if (r == ModePages.CHANGED) {
            lu.raiseForAll(Sense.MODE_PARAMETERS_CHANGED, rq.nexus()); // SPC-4 §5.14: other I_T nexuses
            return ScsiResponse.good();
        }
        if (r != null) {
            // field pointers were computed relative to the pages; make them relative to the parameter list
            if ((r[15] & 0x80) != 0 && Sense.ascAscq(r) == Sense.INVALID_FIELD_IN_PARAMETER_LIST) {
                Cdb.put16(r, 16, u16(r, 16) + hdr + bdLen);
            }
            return ScsiResponse.checkCondition(r);
        }
        return ScsiResponse.good();
    }

    /** START STOP UNIT (SBC-3 §5.25): a network disk has no spindle or medium to move; accepted and ignored. */
    private ScsiResponse startStopUnit(byte[] cdb) {
        return ScsiResponse.good();
    }

    /** PREVENT ALLOW MEDIUM REMOVAL (SBC-3 §5.12): recorded; the medium is not removable (RMB=0). */
    private ScsiResponse preventAllow(byte[] cdb, LogicalUnit lu) {
        lu.preventRemoval = (cdb[4] & 0x03) != 0;
        return ScsiResponse.good();
    }

    // ---------------------------------------------------------------- SBC-3 commands

    /** READ CAPACITY(10) (SBC-3 §5.15): 0xFFFFFFFF when the last LBA does not fit in 32 bits. */
    private ScsiResponse readCapacity10(byte[] cdb, LogicalUnit lu) {
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
    private ScsiResponse readCapacity16(byte[] cdb, LogicalUnit lu) {
        BlockDevice dev = lu.device;
        byte[] d = new byte[32];
        Cdb.put64(d, 0, dev.blocks() - 1);
        Cdb.put32(d, 8, dev.blockSize());
        d[13] = (byte) Inquiry.LBPPBE;
        if (dev.isThin()) {
            d[14] = (byte) (0x80 | (dev.unmappedReadsZero() ? 0x40 : 0));
        }
        return sized(d, u32(cdb, 10));
    }

    /** GET LBA STATUS (SBC-3 §5.7): one descriptor from the starting LBA. */
    private ScsiResponse getLbaStatus(byte[] cdb, LogicalUnit lu) throws IOException {
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
        return sized(d, alloc);
    }

    /** SBC-3 §4.5: LBA + count must not pass the capacity (a 0-block command may name the LBA just past the end). */
    private static boolean outOfRange(long lba, long count, long blocks) {
        return Long.compareUnsigned(lba, blocks) > 0 || Long.compareUnsigned(count, blocks - lba) > 0;
    }

    /** READ(6/10/12/16) (SBC-3 §5.8-5.11): straight from the file into the transport's buffer; DPO/FUA accepted. */
    private ScsiResponse read(CdbLayout c, byte[] cdb, LogicalUnit lu, IntFunction<ByteBuffer> alloc) throws IOException {
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
    private ScsiResponse write(CdbLayout c, byte[] cdb, LogicalUnit lu, ByteBuffer dataOut) throws IOException {
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
    private ScsiResponse verify(CdbLayout c, byte[] cdb, LogicalUnit lu, ByteBuffer dataOut) throws IOException {
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
    private ScsiResponse compareAndWrite(CdbLayout c, byte[] cdb, LogicalUnit lu, ByteBuffer dataOut, int expectedLength)
            throws IOException {
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
    private ScsiResponse preFetch(CdbLayout c, byte[] cdb, LogicalUnit lu) {
        if (outOfRange(c.lba(cdb), c.transferLength(cdb), lu.device.blocks())) {
            return ScsiResponse.checkCondition(Sense.lbaOutOfRange());
        }
        return ScsiResponse.good();
    }

    /** SYNCHRONIZE CACHE(10/16) (SBC-3 §5.22, §5.23): force(false) of the whole device, range checked. */
    private ScsiResponse synchronizeCache(CdbLayout c, byte[] cdb, LogicalUnit lu) throws IOException {
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
    private ScsiResponse writeSame(CdbLayout c, byte[] cdb, LogicalUnit lu, ScsiRequest rq) throws IOException {
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
    private ScsiResponse unmap(byte[] cdb, LogicalUnit lu, ByteBuffer dataOut) throws IOException {
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
        byte[] p = bytes(dataOut, len);
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

    /** Data-in truncated to the allocation length (SPC-4 §4.3.5.6). */
    private static ScsiResponse sized(byte[] d, long alloc) {
        int n = (int) Math.min(d.length, alloc);
        return ScsiResponse.good(ByteBuffer.wrap(d, 0, n).slice());
    }

    private static byte[] bytes(ByteBuffer b, int max) {
        if (b == null) {
            return new byte[0];
        }
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[Math.min(max, d.remaining())];
        d.get(out);
        return out;
    }
}
