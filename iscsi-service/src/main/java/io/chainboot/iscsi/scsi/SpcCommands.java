package io.chainboot.iscsi.scsi;

import static io.chainboot.iscsi.scsi.Cdb.u16;
import static io.chainboot.iscsi.scsi.Cdb.u24;
import static io.chainboot.iscsi.scsi.Cdb.u32;
import static io.chainboot.iscsi.scsi.Cdb.u64;
import static io.chainboot.iscsi.scsi.Cdb.u8;
import static io.chainboot.iscsi.scsi.CdbLayout.Access.ALWAYS;
import static io.chainboot.iscsi.scsi.CdbLayout.Access.READ;
import static io.chainboot.iscsi.scsi.CdbLayout.Access.STATUS;
import static io.chainboot.iscsi.scsi.CdbLayout.Access.WRITE;
import static io.chainboot.iscsi.scsi.CdbLayout.NO_SA;

import io.chainboot.iscsi.scsi.CdbLayout.Command;
import java.util.List;

/**
 * The SPC-4 primary commands this target implements: one {@link CdbLayout} row each (SPC-4 §6) in
 * {@link #ALL}, then their handlers (persistent reservations live in {@link Reservations}).
 */
final class SpcCommands {
    private SpcCommands() {}

    static final int TEST_UNIT_READY = 0x00;
    static final int REQUEST_SENSE = 0x03;
    static final int INQUIRY = 0x12;
    static final int MODE_SELECT_6 = 0x15;
    static final int RESERVE_6 = 0x16;
    static final int RELEASE_6 = 0x17;
    static final int MODE_SENSE_6 = 0x1A;
    static final int MODE_SELECT_10 = 0x55;
    static final int MODE_SENSE_10 = 0x5A;
    static final int PERSISTENT_RESERVE_IN = 0x5E;
    static final int PERSISTENT_RESERVE_OUT = 0x5F;
    static final int REPORT_LUNS = 0xA0;
    static final int MAINTENANCE_IN = 0xA3;
    /** MAINTENANCE IN service action (SPC-4 §6.35). */
    static final int SA_REPORT_SUPPORTED_OPERATION_CODES = 0x0C;

    static final List<CdbLayout> ALL = List.of(
            CdbLayout.none("TEST UNIT READY", TEST_UNIT_READY, 6, STATUS, x -> ScsiResponse.good()),
            CdbLayout.in("REQUEST SENSE", REQUEST_SENSE, NO_SA, 6, 4, 1, ALWAYS, SpcCommands::requestSense),
            CdbLayout.in("INQUIRY", INQUIRY, NO_SA, 6, 3, 2, ALWAYS, SpcCommands::inquiry, 1, 0x01, 2, 0xFF),
            CdbLayout.params("MODE SELECT(6)", MODE_SELECT_6, NO_SA, 6, 4, 1, WRITE, SpcCommands::modeSelect, 1, 0x11),
            CdbLayout.none("RESERVE(6)", RESERVE_6, 6, ALWAYS, x -> x.lu().reservations.reserve6(x.nexus())),
            CdbLayout.none("RELEASE(6)", RELEASE_6, 6, ALWAYS, x -> x.lu().reservations.release6(x.nexus())),
            CdbLayout.in("MODE SENSE(6)", MODE_SENSE_6, NO_SA, 6, 4, 1, READ, SpcCommands::modeSense, 1, 0x08, 2, 0xFF, 3,
                    0xFF),
            CdbLayout.params("MODE SELECT(10)", MODE_SELECT_10, NO_SA, 10, 7, 2, WRITE, SpcCommands::modeSelect, 1, 0x11),
            CdbLayout.in("MODE SENSE(10)", MODE_SENSE_10, NO_SA, 10, 7, 2, READ, SpcCommands::modeSense, 1, 0x18, 2, 0xFF,
                    3, 0xFF),
            prIn("READ KEYS", PrIn.READ_KEYS),
            prIn("READ RESERVATION", PrIn.READ_RESERVATION),
            prIn("REPORT CAPABILITIES", PrIn.REPORT_CAPABILITIES),
            prIn("READ FULL STATUS", PrIn.READ_FULL_STATUS),
            prOut("REGISTER", PrOut.REGISTER),
            prOut("RESERVE", PrOut.RESERVE),
            prOut("RELEASE", PrOut.RELEASE),
            prOut("CLEAR", PrOut.CLEAR),
            prOut("PREEMPT", PrOut.PREEMPT),
            prOut("REGISTER AND IGNORE EXISTING KEY", PrOut.REGISTER_AND_IGNORE),
            // served by every LUN, known or not (SPC-4 §6.33): DiskTarget runs it before looking the LUN up
            CdbLayout.in("REPORT LUNS", REPORT_LUNS, NO_SA, 12, 6, 4, ALWAYS, SpcCommands::reportLuns, 2, 0xFF),
            CdbLayout.in("REPORT SUPPORTED OPERATION CODES", MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPERATION_CODES, 12, 6, 4,
                    ALWAYS, x -> CommandSet.reportSupported(x.cdb()), 2, 0x87, 3, 0xFF, 4, 0xFF, 5, 0xFF));

    private static CdbLayout prIn(String name, int sa) {
        return CdbLayout.in("PERSISTENT RESERVE IN / " + name, PERSISTENT_RESERVE_IN, sa, 10, 7, 2, STATUS,
                x -> x.lu().reservations.in(x.cdb(), x.nexus()));
    }

    private static CdbLayout prOut(String name, int sa) {
        // byte 2: SCOPE and TYPE; bytes 5-8: the parameter list length (24 bytes for the basic list)
        return CdbLayout.params("PERSISTENT RESERVE OUT / " + name, PERSISTENT_RESERVE_OUT, sa, 10, 5, 4, STATUS,
                x -> x.lu().reservations.out(x.cdb(), x.dataOut(), x.nexus(), x.lu()::raise), 2, 0xFF);
    }

    /** PERSISTENT RESERVE IN service actions (SPC-4 §6.15.1). */
    static final class PrIn {
        private PrIn() {}
        static final int READ_KEYS = 0x00;
        static final int READ_RESERVATION = 0x01;
        static final int REPORT_CAPABILITIES = 0x02;
        static final int READ_FULL_STATUS = 0x03;
    }

    /** PERSISTENT RESERVE OUT service actions (SPC-4 §6.16.1); PREEMPT AND ABORT and REGISTER AND MOVE are not implemented. */
    static final class PrOut {
        private PrOut() {}
        static final int REGISTER = 0x00;
        static final int RESERVE = 0x01;
        static final int RELEASE = 0x02;
        static final int CLEAR = 0x03;
        static final int PREEMPT = 0x04;
        static final int REGISTER_AND_IGNORE = 0x06;
    }

    // ---------------------------------------------------------------- handlers

    static ScsiResponse unknownLun(int op, byte[] cdb) {
        if (op == SpcCommands.INQUIRY && (cdb[1] & 0x01) == 0) {
            // SPC-4 §6.6.2: standard data with PERIPHERAL QUALIFIER 011b for a LUN that does not exist
            return ScsiResponse.sized(Inquiry.standard(false), u16(cdb, 3));
        }
        if (op == SpcCommands.REQUEST_SENSE) {
            return ScsiResponse.sized(Sense.of(Sense.ILLEGAL_REQUEST, Sense.LOGICAL_UNIT_NOT_SUPPORTED), u8(cdb, 4));
        }
        return ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.LOGICAL_UNIT_NOT_SUPPORTED));
    }

    /** REPORT LUNS (SPC-4 §6.33); LUNs below 256 use peripheral device addressing, others flat space (SAM-5 §4.7). */
    static ScsiResponse reportLuns(Command x) {
        byte[] cdb = x.cdb();
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
        int n = select == 1 ? 0 : x.luns(); // 01h: well-known LUNs only, we have none
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
        return ScsiResponse.sized(d, alloc);
    }


    /** REQUEST SENSE (SPC-4 §6.39): reports (and clears) a pending unit attention, else NO SENSE. */
    private static ScsiResponse requestSense(Command x) {
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
        Nexus nexus = x.nexus();
        if ((cdb[1] & 0x01) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 0)); // DESC: descriptor format not supported
        }
        int ua = lu.takeUnitAttention(nexus);
        byte[] sense = ua >= 0 ? Sense.of(Sense.UNIT_ATTENTION, ua) : Sense.of(Sense.NO_SENSE, Sense.NO_ADDITIONAL_SENSE);
        return ScsiResponse.sized(sense, u8(cdb, 4));
    }


    /** INQUIRY (SPC-4 §6.6). */
    private static ScsiResponse inquiry(Command x) {
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
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
            return ScsiResponse.sized(Inquiry.standard(true), alloc);
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
                d = Inquiry.deviceIdentification(lu, lu.targetName);
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
        return ScsiResponse.sized(d, alloc);
    }


    /** MODE SENSE(6)/(10) (SPC-4 §6.11, §6.12). */
    private static ScsiResponse modeSense(Command x) {
        int op = x.layout().opcode();
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
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
        return ScsiResponse.sized(d, alloc);
    }


    /** MODE SELECT(6)/(10) (SPC-4 §6.9, §6.10). */
    private static ScsiResponse modeSelect(Command x) {
        int op = x.layout().opcode();
        byte[] cdb = x.cdb();
        LogicalUnit lu = x.lu();
        ScsiRequest rq = x.request();
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
        byte[] p = Cdb.bytes(rq.dataOut(), len);
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

}
