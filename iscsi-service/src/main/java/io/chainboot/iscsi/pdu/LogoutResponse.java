package io.chainboot.iscsi.pdu;

/** Logout Response codes (RFC 7143 §11.15.1), and the reason a Logout Request gives (§11.14.1). */
public enum LogoutResponse {
    CLOSED(0), CID_NOT_FOUND(1), RECOVERY_NOT_SUPPORTED(2), CLEANUP_FAILED(3);

    /** Logout Request reason code 2: remove the connection for recovery (needs ErrorRecoveryLevel 2). */
    public static final int REASON_REMOVE_FOR_RECOVERY = 2;

    static {
        WireCodes.index(values(), LogoutResponse::code, 256);
    }

    private final int code;

    LogoutResponse(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
