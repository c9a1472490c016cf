package io.chainboot.iscsi.scsi;

/**
 * Fixed-format sense data (SPC-4 §4.5.3): 18 bytes, response code 70h (current error), with the
 * sense-key-specific field pointer (§4.5.2.4.2) where a field of the CDB or of the parameter list
 * is at fault. Sense keys and additional sense codes are those of SPC-4 Annex D.
 */
public final class Sense {
    private Sense() {}

    public static final int NO_SENSE = 0x0;
    public static final int NOT_READY = 0x2;
    public static final int MEDIUM_ERROR = 0x3;
    public static final int HARDWARE_ERROR = 0x4;
    public static final int ILLEGAL_REQUEST = 0x5;
    public static final int UNIT_ATTENTION = 0x6;
    public static final int DATA_PROTECT = 0x7;
    public static final int ABORTED_COMMAND = 0xB;
    public static final int MISCOMPARE = 0xE;

    /** ASC/ASCQ pairs as one int: ASC in bits 15..8, ASCQ in bits 7..0. */
    public static final int NO_ADDITIONAL_SENSE = 0x0000;
    public static final int PARAMETER_LIST_LENGTH_ERROR = 0x1A00;
    public static final int MISCOMPARE_DURING_VERIFY = 0x1D00;
    public static final int INVALID_COMMAND_OPERATION_CODE = 0x2000;
    public static final int LBA_OUT_OF_RANGE = 0x2100;
    public static final int INVALID_FIELD_IN_CDB = 0x2400;
    public static final int LOGICAL_UNIT_NOT_SUPPORTED = 0x2500;
    public static final int INVALID_FIELD_IN_PARAMETER_LIST = 0x2600;
    public static final int WRITE_PROTECTED = 0x2700;
    public static final int SPACE_ALLOCATION_FAILED_WRITE_PROTECT = 0x2707;
    public static final int POWER_ON_RESET = 0x2900;
    public static final int MODE_PARAMETERS_CHANGED = 0x2A01;
    public static final int RESERVATIONS_PREEMPTED = 0x2A03;
    public static final int RESERVATIONS_RELEASED = 0x2A04;
    public static final int REGISTRATIONS_PREEMPTED = 0x2A05;
    public static final int INVALID_RELEASE_OF_PERSISTENT_RESERVATION = 0x2604;
    public static final int INSUFFICIENT_REGISTRATION_RESOURCES = 0x5504;
    public static final int SAVING_PARAMETERS_NOT_SUPPORTED = 0x3900;
    public static final int INVALID_FIELD_IN_INFORMATION_UNIT = 0x0E03;
    public static final int UNRECOVERED_READ_ERROR = 0x1100;
    public static final int WRITE_ERROR = 0x0C00;
    public static final int INTERNAL_TARGET_FAILURE = 0x4400;
    public static final int SYSTEM_RESOURCE_FAILURE = 0x5500;

    public static final int LENGTH = 18;

    /** Sense data with a key and an ASC/ASCQ pair. */
    public static byte[] of(int key, int ascAscq) {
        byte[] s = new byte[LENGTH];
        s[0] = 0x70;
        s[2] = (byte) (key & 0x0F);
        s[7] = LENGTH - 8; // additional sense length
        s[12] = (byte) (ascAscq >> 8);
        s[13] = (byte) ascAscq;
        return s;
    }

    /** ILLEGAL REQUEST, INVALID FIELD IN CDB, pointing at {@code byteIndex} (and {@code bit}, or -1 for the whole byte). */
    public static byte[] invalidFieldInCdb(int byteIndex, int bit) {
        return withFieldPointer(of(ILLEGAL_REQUEST, INVALID_FIELD_IN_CDB), true, byteIndex, bit);
    }

    /** ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST, pointing at a byte of the parameter data. */
    public static byte[] invalidFieldInParameterList(int byteIndex, int bit) {
        return withFieldPointer(of(ILLEGAL_REQUEST, INVALID_FIELD_IN_PARAMETER_LIST), false, byteIndex, bit);
    }

    public static byte[] lbaOutOfRange() {
        return of(ILLEGAL_REQUEST, LBA_OUT_OF_RANGE);
    }

    public static byte[] invalidOpcode() {
        return withFieldPointer(of(ILLEGAL_REQUEST, INVALID_COMMAND_OPERATION_CODE), true, 0, -1);
    }

    public static byte[] writeProtected() {
        return of(DATA_PROTECT, WRITE_PROTECTED);
    }

    /** MISCOMPARE DURING VERIFY OPERATION with the INFORMATION field = offset of the first differing byte (SBC-3 §5.28). */
    public static byte[] miscompare(long offset) {
        byte[] s = of(MISCOMPARE, MISCOMPARE_DURING_VERIFY);
        s[0] = (byte) 0xF0; // VALID: INFORMATION is meaningful
        s[3] = (byte) (offset >> 24);
        s[4] = (byte) (offset >> 16);
        s[5] = (byte) (offset >> 8);
        s[6] = (byte) offset;
        return s;
    }

    private static byte[] withFieldPointer(byte[] s, boolean inCdb, int byteIndex, int bit) {
        int b = 0x80 | (inCdb ? 0x40 : 0);
        if (bit >= 0) {
            b |= 0x08 | (bit & 0x07);
        }
        s[15] = (byte) b;
        s[16] = (byte) (byteIndex >> 8);
        s[17] = (byte) byteIndex;
        return s;
    }

    public static int key(byte[] sense) {
        return sense[2] & 0x0F;
    }

    public static int ascAscq(byte[] sense) {
        return ((sense[12] & 0xFF) << 8) | (sense[13] & 0xFF);
    }
}
