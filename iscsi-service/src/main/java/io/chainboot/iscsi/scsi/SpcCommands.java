package io.chainboot.iscsi.scsi;

import static io.chainboot.iscsi.scsi.CdbLayout.Access.ALWAYS;
import static io.chainboot.iscsi.scsi.CdbLayout.Access.READ;
import static io.chainboot.iscsi.scsi.CdbLayout.Access.STATUS;
import static io.chainboot.iscsi.scsi.CdbLayout.Access.WRITE;
import static io.chainboot.iscsi.scsi.CdbLayout.NO_SA;

import java.util.List;

/** The SPC-4 primary commands this target implements, one {@link CdbLayout} each (SPC-4 §6). */
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
            CdbLayout.none("TEST UNIT READY", TEST_UNIT_READY, 6, STATUS),
            CdbLayout.in("REQUEST SENSE", REQUEST_SENSE, NO_SA, 6, 4, 1, ALWAYS),
            CdbLayout.in("INQUIRY", INQUIRY, NO_SA, 6, 3, 2, ALWAYS, 1, 0x01, 2, 0xFF),
            CdbLayout.params("MODE SELECT(6)", MODE_SELECT_6, NO_SA, 6, 4, 1, WRITE, 1, 0x11),
            CdbLayout.none("RESERVE(6)", RESERVE_6, 6, ALWAYS),
            CdbLayout.none("RELEASE(6)", RELEASE_6, 6, ALWAYS),
            CdbLayout.in("MODE SENSE(6)", MODE_SENSE_6, NO_SA, 6, 4, 1, READ, 1, 0x08, 2, 0xFF, 3, 0xFF),
            CdbLayout.params("MODE SELECT(10)", MODE_SELECT_10, NO_SA, 10, 7, 2, WRITE, 1, 0x11),
            CdbLayout.in("MODE SENSE(10)", MODE_SENSE_10, NO_SA, 10, 7, 2, READ, 1, 0x18, 2, 0xFF, 3, 0xFF),
            CdbLayout.in("PERSISTENT RESERVE IN / READ KEYS", PERSISTENT_RESERVE_IN, PrIn.READ_KEYS, 10, 7, 2, STATUS),
            CdbLayout.in("PERSISTENT RESERVE IN / READ RESERVATION", PERSISTENT_RESERVE_IN, PrIn.READ_RESERVATION, 10, 7, 2,
                    STATUS),
            CdbLayout.in("PERSISTENT RESERVE IN / REPORT CAPABILITIES", PERSISTENT_RESERVE_IN, PrIn.REPORT_CAPABILITIES, 10,
                    7, 2, STATUS),
            CdbLayout.in("PERSISTENT RESERVE IN / READ FULL STATUS", PERSISTENT_RESERVE_IN, PrIn.READ_FULL_STATUS, 10, 7, 2,
                    STATUS),
            prOut("REGISTER", PrOut.REGISTER),
            prOut("RESERVE", PrOut.RESERVE),
            prOut("RELEASE", PrOut.RELEASE),
            prOut("CLEAR", PrOut.CLEAR),
            prOut("PREEMPT", PrOut.PREEMPT),
            prOut("REGISTER AND IGNORE EXISTING KEY", PrOut.REGISTER_AND_IGNORE),
            CdbLayout.in("REPORT LUNS", REPORT_LUNS, NO_SA, 12, 6, 4, ALWAYS, 2, 0xFF),
            CdbLayout.in("REPORT SUPPORTED OPERATION CODES", MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPERATION_CODES, 12, 6, 4,
                    ALWAYS, 2, 0x87, 3, 0xFF, 4, 0xFF, 5, 0xFF));

    private static CdbLayout prOut(String name, int sa) {
        // byte 2: SCOPE and TYPE; bytes 5-8: the parameter list length (24 bytes for the basic list)
        return CdbLayout.params("PERSISTENT RESERVE OUT / " + name, PERSISTENT_RESERVE_OUT, sa, 10, 5, 4, STATUS, 2, 0xFF);
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
}
