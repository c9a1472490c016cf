package io.chainboot.iscsi.scsi;

/**
 * The 8-byte SAM LUN of an iSCSI PDU (RFC 7143 §11.2.1.3, SAM-5 §4.7) as the index of a logical
 * unit: single-level peripheral device addressing on bus 0 (byte 0 = 0, byte 1 = the LUN) and flat
 * space addressing (method 01b: 14 bits). Anything else (other buses, logical unit or extended
 * addressing) names no logical unit here: {@link #NONE}, which the target answers as a LUN it lacks.
 */
public final class LunAddress {
    private LunAddress() {}

    /** An index no logical unit has (above the 14-bit flat space). */
    public static final long NONE = 0xffff;

    public static long index(long samLun) {
        int b0 = (int) (samLun >>> 56) & 0xff;
        int b1 = (int) (samLun >>> 48) & 0xff;
        int method = b0 >> 6;
        if (method == 0) {
            return b0 == 0 ? b1 : NONE; // peripheral: bus 0 only
        }
        if (method == 1) {
            return ((b0 & 0x3f) << 8) | b1; // flat space
        }
        return NONE;
    }
}
