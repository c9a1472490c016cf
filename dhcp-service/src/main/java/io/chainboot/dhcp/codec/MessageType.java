package io.chainboot.dhcp.codec;

import java.util.Optional;

/** DHCP message types, option 53 (RFC 2132 §9.6). Each constant owns its wire number. */
public enum MessageType {
    DISCOVER(1), OFFER(2), REQUEST(3), DECLINE(4), ACK(5), NAK(6), RELEASE(7), INFORM(8);

    private static final MessageType[] BY_CODE = new MessageType[9];

    static {
        for (MessageType t : values()) {
            if (BY_CODE[t.code] != null) {
                throw new ExceptionInInitializerError("duplicate DHCP message type " + t.code);
            }
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<MessageType> of(int code) {
        return code > 0 && code < BY_CODE.length ? Optional.of(BY_CODE[code]) : Optional.empty();
    }
}
