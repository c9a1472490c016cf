package io.chainboot.tftp.codec;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One TFTP packet (RFC 1350 §5, RFC 2347 §2 for options and OACK). Option maps keep the
 * client's order and have lower-case names (option names are case-insensitive, RFC 2347 §2).
 */
public sealed interface TftpPacket {

    Opcode opcode();

    /** RRQ (RFC 1350 §5) with the options of RFC 2347. */
    record ReadRequest(String filename, TransferMode mode, Map<String, String> options) implements TftpPacket {
        public ReadRequest {
            Objects.requireNonNull(filename);
            Objects.requireNonNull(mode);
            options = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
        }

        @Override
        public Opcode opcode() {
            return Opcode.RRQ;
        }
    }

    /** WRQ (RFC 1350 §5); this server refuses them, but still decodes them to answer properly. */
    record WriteRequest(String filename, TransferMode mode, Map<String, String> options) implements TftpPacket {
        public WriteRequest {
            Objects.requireNonNull(filename);
            Objects.requireNonNull(mode);
            options = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
        }

        @Override
        public Opcode opcode() {
            return Opcode.WRQ;
        }
    }

    /** DATA (RFC 1350 §5): a 16-bit block number (1-based, wraps to 0 past 65535) and 0..blksize bytes. */
    record Data(int block, byte[] payload) implements TftpPacket {
        public Data {
            if (block < 0 || block > 0xFFFF) {
                throw new IllegalArgumentException("block " + block);
            }
            Objects.requireNonNull(payload);
        }

        @Override
        public Opcode opcode() {
            return Opcode.DATA;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Data d && d.block == block && Arrays.equals(d.payload, payload);
        }

        @Override
        public int hashCode() {
            return block * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Data[block=" + block + ", " + payload.length + " bytes]";
        }
    }

    /** ACK (RFC 1350 §5); block 0 acknowledges a WRQ or an OACK (RFC 2347 §2). */
    record Ack(int block) implements TftpPacket {
        public Ack {
            if (block < 0 || block > 0xFFFF) {
                throw new IllegalArgumentException("block " + block);
            }
        }

        @Override
        public Opcode opcode() {
            return Opcode.ACK;
        }
    }

    /** ERROR (RFC 1350 §5): a code and a NUL-terminated message; {@code rawCode} keeps unknown numbers. */
    record Error(int rawCode, String message) implements TftpPacket {
        public Error {
            if (rawCode < 0 || rawCode > 0xFFFF) {
                throw new IllegalArgumentException("code " + rawCode);
            }
            Objects.requireNonNull(message);
        }

        public Error(ErrorCode code, String message) {
            this(code.code, message);
        }

        public ErrorCode code() {
            return ErrorCode.of(rawCode);
        }

        @Override
        public Opcode opcode() {
            return Opcode.ERROR;
        }
    }

    /** OACK (RFC 2347 §2): the options the server accepted, with their final values. */
    record OptionAck(Map<String, String> options) implements TftpPacket {
        public OptionAck {
            options = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
        }

        @Override
        public Opcode opcode() {
            return Opcode.OACK;
        }
    }
}
