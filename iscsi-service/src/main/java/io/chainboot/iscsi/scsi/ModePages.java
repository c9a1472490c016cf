package io.chainboot.iscsi.scsi;

import java.io.ByteArrayOutputStream;

/**
 * Mode pages (SPC-4 §7.5, SBC-3 §6.4): Read-Write Error Recovery (01h), Caching (08h) and Control
 * (0Ah). Only WCE of the Caching page is changeable; saved values are not implemented.
 */
final class ModePages {
    private ModePages() {}

    static final int PC_CURRENT = 0;
    static final int PC_CHANGEABLE = 1;
    static final int PC_DEFAULT = 2;
    static final int PC_SAVED = 3;

    static final int READ_WRITE_ERROR_RECOVERY = 0x01;
    static final int CACHING = 0x08;
    static final int CONTROL = 0x0A;
    static final int ALL_PAGES = 0x3F;

    static final int[] PAGES = {READ_WRITE_ERROR_RECOVERY, CACHING, CONTROL};

    static boolean exists(int code) {
        for (int p : PAGES) {
            if (p == code) {
                return true;
            }
        }
        return false;
    }

    /** One page as MODE SENSE returns it for page control {@code pc} (0..2). */
    static byte[] page(int code, int pc, LogicalUnit lu) {
        byte[] d;
        switch (code) {
            case READ_WRITE_ERROR_RECOVERY:
                d = new byte[12];
                d[0] = 0x01;
                d[1] = 0x0A;
                return d; // no retries/recovery parameters to report, nothing changeable
            case CACHING:
                d = new byte[20];
                d[0] = 0x08;
                d[1] = 0x12;
                if (pc == PC_CHANGEABLE) {
                    d[2] = 0x04; // WCE
                } else {
                    boolean wce = pc == PC_DEFAULT || lu.writeCacheEnabled;
                    d[2] = (byte) (wce ? 0x04 : 0x00);
                }
                return d;
            case CONTROL:
                d = new byte[12];
                d[0] = 0x0A;
                d[1] = 0x0A;
                if (pc != PC_CHANGEABLE) {
                    d[2] = 0x02;        // TST 000b, GLTSD = 1 (no log parameters saved), D_SENSE = 0
                    d[3] = 0x10;        // QUEUE ALGORITHM MODIFIER = 1 (unrestricted reordering), QERR 00b
                    d[8] = (byte) 0xFF; // BUSY TIMEOUT PERIOD: unlimited
                    d[9] = (byte) 0xFF;
                }
                return d;
            default:
                return null;
        }
    }

    /** The pages for a MODE SENSE of {@code code} (or all pages for 3Fh), concatenated. */
    static byte[] pages(int code, int pc, LogicalUnit lu) {
        if (code != ALL_PAGES) {
            return page(code, pc, lu);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        for (int p : PAGES) {
            out.writeBytes(page(p, pc, lu));
        }
        return out.toByteArray();
    }

    /**
     * Validates and applies the pages of a MODE SELECT parameter list (SPC-4 §6.9, §7.5.1):
     * unchanged values are accepted, a change of an unchangeable bit is INVALID FIELD IN PARAMETER
     * LIST pointing at the byte. Returns null on success or the sense data.
     */
    static byte[] select(byte[] params, int offset, LogicalUnit lu) {
        // validate everything before applying anything
        int p = offset;
        while (p < params.length) {
            if (p + 2 > params.length) {
                return Sense.of(Sense.ILLEGAL_REQUEST, Sense.PARAMETER_LIST_LENGTH_ERROR);
            }
            int code = params[p] & 0x3F;
            if ((params[p] & 0x40) != 0) {
                return Sense.invalidFieldInParameterList(p, 6); // SPF: no subpages implemented
            }
            if (!exists(code)) {
                return Sense.invalidFieldInParameterList(p, 5);
            }
            byte[] current = page(code, PC_CURRENT, lu);
            byte[] changeable = page(code, PC_CHANGEABLE, lu);
            int len = params[p + 1] & 0xFF;
            if (len != current[1]) {
                return Sense.invalidFieldInParameterList(p + 1, -1);
            }
            if (p + 2 + len > params.length) {
                return Sense.of(Sense.ILLEGAL_REQUEST, Sense.PARAMETER_LIST_LENGTH_ERROR);
            }
            for (int i = 2; i < 2 + len; i++) {
                int diff = (params[p + i] ^ current[i]) & ~changeable[i] & 0xFF;
                if (diff != 0) {
                    return Sense.invalidFieldInParameterList(p + i, 31 - Integer.numberOfLeadingZeros(diff));
                }
            }
            p += 2 + len;
        }
        p = offset;
        boolean changed = false;
        while (p < params.length) {
            int code = params[p] & 0x3F;
            if (code == CACHING) {
                boolean wce = (params[p + 2] & 0x04) != 0;
                changed |= wce != lu.writeCacheEnabled;
                lu.writeCacheEnabled = wce;
            }
            p += 2 + (params[p + 1] & 0xFF);
        }
        return changed ? CHANGED : null;
    }

    /** Marker returned by {@link #select} when a parameter changed (the caller raises MODE PARAMETERS CHANGED). */
    static final byte[] CHANGED = new byte[0];
}
