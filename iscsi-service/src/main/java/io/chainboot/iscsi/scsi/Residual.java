package io.chainboot.iscsi.scsi;

/**
 * How a command's transfer compares with what the initiator expected (SAM-5 §5.4.3, RFC 7143
 * §11.4.5): {@code UNDERFLOW} = the initiator expected {@code count} more bytes than the command
 * moves, {@code OVERFLOW} = the command would move {@code count} bytes more than expected (and only
 * the expected bytes were transferred). Computed by the SCSI layer ({@link ExpectedTransfer}); the
 * transport only copies it into the status PDU.
 */
public record Residual(Kind kind, int count) {
    public enum Kind { NONE, UNDERFLOW, OVERFLOW }

    public static final Residual NONE = new Residual(Kind.NONE, 0);

    public Residual {
        if (count < 0 || (kind == Kind.NONE) != (count == 0)) {
            throw new IllegalArgumentException(kind + " residual of " + count);
        }
    }

    static Residual underflow(long count) {
        return count == 0 ? NONE : new Residual(Kind.UNDERFLOW, (int) Math.min(count, Integer.MAX_VALUE));
    }

    static Residual overflow(long count) {
        return count == 0 ? NONE : new Residual(Kind.OVERFLOW, (int) Math.min(count, Integer.MAX_VALUE));
    }
}
