package io.chainboot.iscsi.pdu;

import java.util.Optional;

/**
 * iSCSI opcodes (RFC 7143 §11.2.1.2). Each constant owns its wire number; {@link #of} fails fast on
 * duplicates when the class loads.
 */
public enum Opcode {
    NOP_OUT(0x00, true),
    SCSI_COMMAND(0x01, true),
    TASK_MGMT_REQUEST(0x02, true),
    LOGIN_REQUEST(0x03, true),
    TEXT_REQUEST(0x04, true),
    DATA_OUT(0x05, true),
    LOGOUT_REQUEST(0x06, true),
    SNACK_REQUEST(0x10, true),
    NOP_IN(0x20, false),
    SCSI_RESPONSE(0x21, false),
    TASK_MGMT_RESPONSE(0x22, false),
    LOGIN_RESPONSE(0x23, false),
    TEXT_RESPONSE(0x24, false),
    DATA_IN(0x25, false),
    LOGOUT_RESPONSE(0x26, false),
    R2T(0x31, false),
    ASYNC_MESSAGE(0x32, false),
    REJECT(0x3f, false);

    private static final Opcode[] BY_CODE = new Opcode[64];

    static {
        for (Opcode o : values()) {
            if (BY_CODE[o.code] != null) {
                throw new IllegalStateException("duplicate opcode " + o.code);
            }
            BY_CODE[o.code] = o;
        }
    }

    private final int code;
    private final boolean fromInitiator;

    Opcode(int code, boolean fromInitiator) {
        this.code = code;
        this.fromInitiator = fromInitiator;
    }

    public int code() {
        return code;
    }

    /** True for initiator opcodes (0x00-0x1f), false for target opcodes (0x20-0x3f). */
    public boolean fromInitiator() {
        return fromInitiator;
    }

    public static Optional<Opcode> of(int code) {
        return code < 0 || code >= BY_CODE.length ? Optional.empty() : Optional.ofNullable(BY_CODE[code]);
    }
}
