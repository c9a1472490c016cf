package io.chainboot.iscsi.scsi;

import java.nio.ByteBuffer;

/**
 * The outcome of one SCSI command. {@code status} is the SAM status byte ({@link #GOOD},
 * {@link #CHECK_CONDITION}...); {@code dataIn} (position..limit) may be null and may be longer or
 * shorter than the expected transfer length (the transport computes residuals); {@code sense} is
 * fixed-format sense data (SPC-4 §4.5.3) or null.
 */
public record ScsiResponse(int status, ByteBuffer dataIn, byte[] sense) {
    public static final int GOOD = 0x00;
    public static final int CHECK_CONDITION = 0x02;
    public static final int BUSY = 0x08;
    public static final int RESERVATION_CONFLICT = 0x18;
    public static final int TASK_SET_FULL = 0x28;

    private static final ScsiResponse GOOD_NO_DATA = new ScsiResponse(GOOD, null, null);

    public static ScsiResponse good() {
        return GOOD_NO_DATA;
    }

    public static ScsiResponse good(ByteBuffer dataIn) {
        return new ScsiResponse(GOOD, dataIn, null);
    }

    public static ScsiResponse checkCondition(byte[] sense) {
        return new ScsiResponse(CHECK_CONDITION, null, sense);
    }
}
