package io.chainboot.iscsi.pdu;

import java.util.Optional;

/** Task Management Function Request functions (RFC 7143 §11.5.1); each owns its wire number. */
public enum TmfFunction {
    ABORT_TASK(1), ABORT_TASK_SET(2), CLEAR_ACA(3), CLEAR_TASK_SET(4), LOGICAL_UNIT_RESET(5),
    TARGET_WARM_RESET(6), TARGET_COLD_RESET(7), TASK_REASSIGN(8);

    private static final TmfFunction[] BY_CODE = WireCodes.index(values(), TmfFunction::code, 128);
    private final int code;

    TmfFunction(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<TmfFunction> of(int code) {
        return code < 0 || code >= BY_CODE.length ? Optional.empty() : Optional.ofNullable(BY_CODE[code]);
    }
}
