package io.chainboot.iscsi.scsi;

/** Operation codes implemented (SPC-4 Annex D.3.1, SBC-3 §5). */
final class Opcodes {
    private Opcodes() {}

    static final int TEST_UNIT_READY = 0x00;
    static final int REQUEST_SENSE = 0x03;
    static final int READ_6 = 0x08;
    static final int WRITE_6 = 0x0A;
    static final int INQUIRY = 0x12;
    static final int MODE_SELECT_6 = 0x15;
    static final int MODE_SENSE_6 = 0x1A;
    static final int START_STOP_UNIT = 0x1B;
    static final int PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1E;
    static final int READ_CAPACITY_10 = 0x25;
    static final int READ_10 = 0x28;
    static final int WRITE_10 = 0x2A;
    static final int WRITE_AND_VERIFY_10 = 0x2E;
    static final int VERIFY_10 = 0x2F;
    static final int SYNCHRONIZE_CACHE_10 = 0x35;
    static final int WRITE_SAME_10 = 0x41;
    static final int UNMAP = 0x42;
    static final int MODE_SELECT_10 = 0x55;
    static final int MODE_SENSE_10 = 0x5A;
    static final int READ_16 = 0x88;
    static final int WRITE_16 = 0x8A;
    static final int WRITE_AND_VERIFY_16 = 0x8E;
    static final int VERIFY_16 = 0x8F;
    static final int SYNCHRONIZE_CACHE_16 = 0x91;
    static final int WRITE_SAME_16 = 0x93;
    static final int SERVICE_ACTION_IN_16 = 0x9E;
    static final int REPORT_LUNS = 0xA0;
    static final int READ_12 = 0xA8;
    static final int WRITE_12 = 0xAA;
    static final int WRITE_AND_VERIFY_12 = 0xAE;
    static final int VERIFY_12 = 0xAF;

    /** SERVICE ACTION IN(16) service actions. */
    static final int SA_READ_CAPACITY_16 = 0x10;
    static final int SA_GET_LBA_STATUS = 0x12;
}
