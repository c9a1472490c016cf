package io.chainboot.iscsi.pdu;

import io.chainboot.events.Decoded;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The iSCSI PDU wire format (RFC 7143 §11.2): BHS, AHS (TotalAHSLength in 4-byte words), optional
 * header digest, data segment padded to a multiple of 4, optional data digest. Digests are CRC32C
 * (RFC 7143 §13.1, Appendix B) sent least significant byte first, as Linux and libiscsi do.
 *
 * <p>Pure: no I/O. The transport reads the BHS, asks {@link #ahsLength}/{@link #dataSegmentLength}
 * how much follows, and hands the pieces to {@link #assemble} ({@link #assembleFromTarget} on the
 * initiator side). The one encoder of every PDU Chainboot writes: the target's, the warm-up client's
 * and the test initiator's and target's.
 */
public final class PduCodec {
    /** Largest data segment we accept (2^24-1 is the field's limit; RFC 7143 §13.12 caps MRDSL there). */
    public static final int MAX_DATA_SEGMENT = (1 << 24) - 1;

    private PduCodec() {
    }

    public static int ahsLength(byte[] bhs) {
        return (bhs[4] & 0xff) * 4;
    }

    public static int dataSegmentLength(byte[] bhs) {
        return ((bhs[5] & 0xff) << 16) | ((bhs[6] & 0xff) << 8) | (bhs[7] & 0xff);
    }

    /** The data segment length rounded up to 4 (§11.2.3 padding). */
    public static int padded(int length) {
        return (length + 3) & ~3;
    }

    public static int crc32c(byte[] a, byte[] b) {
        CRC32C c = new CRC32C();
        c.update(a);
        if (b != null) {
            c.update(b);
        }
        return (int) c.getValue();
    }

    public static int crc32c(ByteBuffer data, int padTo) {
        CRC32C c = new CRC32C();
        int n = data.remaining();
        c.update(data.duplicate());
        for (int i = n; i < padTo; i++) {
            c.update(0);
        }
        return (int) c.getValue();
    }

    /** Reads a little-endian digest from 4 bytes. */
    public static int digestValue(byte[] four) {
        return ByteBuffer.wrap(four).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** Validates the BHS: known initiator opcode, sane AHS (RFC 7143 §11.2.1). */
    public static Decoded<Opcode> decodeHeader(byte[] bhs) {
        return decodeHeader(bhs, true);
    }

    /** Validates the BHS of a PDU sent by an initiator ({@code fromInitiator}) or by a target. */
    private static Decoded<Opcode> decodeHeader(byte[] bhs, boolean fromInitiator) {
        if (bhs == null || bhs.length != Pdu.BHS_LENGTH) {
            return Decoded.invalid("BHS must be 48 bytes");
        }
        Optional<Opcode> op = Opcode.of(bhs[0] & 0x3f);
        if (op.isEmpty()) {
            return Decoded.invalid("unknown opcode 0x" + Integer.toHexString(bhs[0] & 0x3f));
        }
        if (op.get().fromInitiator() != fromInitiator) {
            return Decoded.invalid((fromInitiator ? "target opcode " : "initiator opcode ") + op.get() + " sent by "
                    + (fromInitiator ? "an initiator" : "a target"));
        }
        return Decoded.valid(op.get());
    }

    /**
     * Builds a PDU from the pieces a transport read. {@code headerDigest}/{@code dataDigest} are
     * the received digest values or null when that digest is not negotiated.
     */
    public static Decoded<Pdu> assemble(byte[] bhs, byte[] ahs, Integer headerDigest, ByteBuffer data,
                                        Integer dataDigest) {
        return assemble(bhs, ahs, headerDigest, data, dataDigest, true);
    }

    /** {@link #assemble} for the initiator side: a PDU the target sent (the warm-up client, test initiators). */
    public static Decoded<Pdu> assembleFromTarget(byte[] bhs, byte[] ahs, Integer headerDigest, ByteBuffer data,
                                                  Integer dataDigest) {
        return assemble(bhs, ahs, headerDigest, data, dataDigest, false);
    }

    private static Decoded<Pdu> assemble(byte[] bhs, byte[] ahs, Integer headerDigest, ByteBuffer data,
                                         Integer dataDigest, boolean fromInitiator) {
        Decoded<Opcode> op = decodeHeader(bhs, fromInitiator);
        if (!(op instanceof Decoded.Valid<Opcode> valid)) {
            return Decoded.invalid(((Decoded.Invalid<Opcode>) op).reason());
        }
        if (headerDigest != null && crc32c(bhs, ahs) != headerDigest) {
            return Decoded.invalid("header digest mismatch");
        }
        if (dataDigest != null && data.hasRemaining() && crc32c(data, padded(data.remaining())) != dataDigest) {
            return Decoded.invalid("data digest mismatch");
        }
        if (ahs != null && !validAhs(ahs)) {
            return Decoded.invalid("malformed AHS");
        }
        return Decoded.valid(new Pdu(valid.value(), bhs, ahs, data));
    }

    /** Each AHS: AHSLength (2 bytes), AHSType, specific byte, then AHSLength bytes padded to 4 (§11.2.2). */
    static boolean validAhs(byte[] ahs) {
        int at = 0;
        while (at < ahs.length) {
            if (at + 4 > ahs.length) {
                return false;
            }
            int len = ((ahs[at] & 0xff) << 8) | (ahs[at + 1] & 0xff);
            at += padded(3 + len);
            if (at > ahs.length) {
                return false;
            }
        }
        return true;
    }

    /** Decodes one whole PDU from {@code wire} (position..limit), consuming it. */
    public static Decoded<Pdu> decode(ByteBuffer wire, boolean headerDigest, boolean dataDigest) {
        if (wire.remaining() < Pdu.BHS_LENGTH) {
            return Decoded.invalid("short PDU: " + wire.remaining() + " bytes");
        }
        byte[] bhs = new byte[Pdu.BHS_LENGTH];
        wire.get(bhs);
        int ahsLen = ahsLength(bhs);
        int dataLen = dataSegmentLength(bhs);
        long need = (long) ahsLen + (headerDigest ? 4 : 0) + padded(dataLen) + (dataDigest && dataLen > 0 ? 4 : 0);
        if (wire.remaining() < need) {
            return Decoded.invalid("truncated PDU: need " + need + " more bytes, have " + wire.remaining());
        }
        byte[] ahs = new byte[ahsLen];
        wire.get(ahs);
        Integer hd = null;
        if (headerDigest) {
            byte[] d = new byte[4];
            wire.get(d);
            hd = digestValue(d);
        }
        byte[] data = new byte[dataLen];
        wire.get(data);
        wire.position(wire.position() + padded(dataLen) - dataLen);
        Integer dd = null;
        if (dataDigest && dataLen > 0) {
            byte[] d = new byte[4];
            wire.get(d);
            dd = digestValue(d);
        }
        return assemble(bhs, ahs, hd, ByteBuffer.wrap(data), dd);
    }

    /**
     * Encodes a PDU as gather buffers: header (BHS+AHS+digest), data, trailer (padding + digest).
     * Sets TotalAHSLength and DataSegmentLength in the BHS. Buffers of length 0 are omitted.
     */
    public static int encode(Pdu pdu, boolean headerDigest, boolean dataDigest, ByteBuffer[] out, int at) {
        byte[] bhs = pdu.bhs();
        byte[] ahs = pdu.ahs();
        ByteBuffer data = pdu.data();
        int dataLen = data.remaining();
        bhs[4] = (byte) (ahs.length / 4);
        bhs[5] = (byte) (dataLen >>> 16);
        bhs[6] = (byte) (dataLen >>> 8);
        bhs[7] = (byte) dataLen;
        ByteBuffer header = ByteBuffer.allocate(Pdu.BHS_LENGTH + ahs.length + (headerDigest ? 4 : 0));
        header.put(bhs).put(ahs);
        if (headerDigest) {
            header.order(ByteOrder.LITTLE_ENDIAN).putInt(crc32c(bhs, ahs));
        }
        header.flip();
        out[at++] = header;
        if (dataLen > 0) {
            out[at++] = data;
            int pad = padded(dataLen) - dataLen;
            if (pad > 0 || dataDigest) {
                ByteBuffer trailer = ByteBuffer.allocate(pad + (dataDigest ? 4 : 0)).order(ByteOrder.LITTLE_ENDIAN);
                trailer.position(pad);
                if (dataDigest) {
                    trailer.putInt(crc32c(data, padded(dataLen)));
                }
                trailer.flip();
                out[at++] = trailer;
            }
        }
        return at;
    }

    /** Encodes into one heap buffer (tests, login). */
    public static ByteBuffer encode(Pdu pdu, boolean headerDigest, boolean dataDigest) {
        ByteBuffer[] parts = new ByteBuffer[3];
        int n = encode(pdu, headerDigest, dataDigest, parts, 0);
        int total = 0;
        for (int i = 0; i < n; i++) {
            total += parts[i].remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        for (int i = 0; i < n; i++) {
            all.put(parts[i]);
        }
        return all.flip();
    }
}
