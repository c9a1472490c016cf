package io.chainboot.tftp.codec;

/** TFTP opcodes (RFC 1350 §5, OACK from RFC 2347). The enum owns its wire numbers. */
public enum Opcode {
    RRQ(1), WRQ(2), DATA(3), ACK(4), ERROR(5), OACK(6);

    private static final Opcode[] BY_CODE = new Opcode[7];

    static {
        for (Opcode o : values()) {
            if (BY_CODE[o.code] != null) {
                throw new ExceptionInInitializerError("duplicate opcode " + o.code);
            }
            BY_CODE[o.code] = o;
        }
    }

    public final int code;

    Opcode(int code) {
        this.code = code;
    }

    /** The opcode for {@code code}, or null when it is not one. */
    public static Opcode of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
