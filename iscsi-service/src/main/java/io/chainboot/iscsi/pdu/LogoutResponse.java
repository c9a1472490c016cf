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

    /**
     * The answer to a Logout Request's reason code at ErrorRecoveryLevel 0: removing the connection for
     * recovery (reason 2) needs ERL 2, so it is refused; closing the session (0) or the connection (1),
     * and any other code, closes (with MaxConnections=1 the connection is the session).
     */
    public static LogoutResponse forReason(int reason) {
        return reason == REASON_REMOVE_FOR_RECOVERY ? RECOVERY_NOT_SUPPORTED : CLOSED;
    }
}
