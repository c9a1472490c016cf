package io.chainboot.iscsi.scsi;

import java.nio.ByteBuffer;

/**
 * The outcome of one SCSI command. {@code status} is the SAM status byte ({@link #GOOD},
 * {@link #CHECK_CONDITION}...); {@code dataIn} (position..limit) may be null; {@code sense} is
 * fixed-format sense data (SPC-4 §4.5.3) or null. What {@link ScsiTarget#execute} returns is already
 * measured against the request's expected transfer length: {@code dataIn} holds at most that many
 * bytes, {@code residual} says by how much the command's own length differed from it, {@code written}
 * is how many data-out bytes a GOOD command consumed, and {@code attached} is set on the one response
 * that completed the session's LUN attach ({@link LunAttach}), else null.
 */
public record ScsiResponse(int status, ByteBuffer dataIn, byte[] sense, Residual residual, int written,
        LunAttach.Attached attached) {
    public static final int GOOD = 0x00;
    public static final int CHECK_CONDITION = 0x02;
    public static final int BUSY = 0x08;
    public static final int RESERVATION_CONFLICT = 0x18;
    public static final int TASK_SET_FULL = 0x28;

    private static final ScsiResponse GOOD_NO_DATA = new ScsiResponse(GOOD, null, null);

    /** A device server's answer, before it is measured against the expected transfer length. */
    public ScsiResponse(int status, ByteBuffer dataIn, byte[] sense) {
        this(status, dataIn, sense, Residual.NONE, 0, null);
    }

    public static ScsiResponse good() {
        return GOOD_NO_DATA;
    }

    public static ScsiResponse good(ByteBuffer dataIn) {
        return new ScsiResponse(GOOD, dataIn, null);
    }

    public static ScsiResponse checkCondition(byte[] sense) {
        return new ScsiResponse(CHECK_CONDITION, null, sense);
    }

    /** Data-in truncated to the allocation length (SPC-4 §4.3.5.6). */
    static ScsiResponse sized(byte[] d, long alloc) {
        int n = (int) Math.min(d.length, alloc);
        return good(ByteBuffer.wrap(d, 0, n).slice());
    }

    ScsiResponse withTransfer(ByteBuffer data, Residual r, int writtenBytes) {
        return new ScsiResponse(status, data, sense, r, writtenBytes, attached);
    }

    ScsiResponse withAttached(LunAttach.Attached a) {
        return a == null ? this : new ScsiResponse(status, dataIn, sense, residual, written, a);
    }
}
