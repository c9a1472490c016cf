package io.chainboot.tftp.codec;

/** TFTP error codes (RFC 1350 appendix "Error Codes", code 8 from RFC 2347). */
public enum ErrorCode {
    NOT_DEFINED(0), FILE_NOT_FOUND(1), ACCESS_VIOLATION(2), DISK_FULL(3), ILLEGAL_OPERATION(4),
    UNKNOWN_TID(5), FILE_EXISTS(6), NO_SUCH_USER(7), OPTION_REFUSED(8);

    private static final ErrorCode[] BY_CODE = new ErrorCode[9];

    static {
        for (ErrorCode e : values()) {
            if (BY_CODE[e.code] != null) {
                throw new ExceptionInInitializerError("duplicate error code " + e.code);
            }
            BY_CODE[e.code] = e;
        }
    }

    public final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /** The named code, or {@link #NOT_DEFINED} for a number outside the RFC's table. */
    public static ErrorCode of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : NOT_DEFINED;
    }
}
