package io.chainboot.iscsi.pdu;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One iSCSI PDU (RFC 7143 §11.2): the 48-byte Basic Header Segment, the Additional Header Segments
 * and the data segment (without padding or digests). Field accessors read the BHS in place; their
 * names follow the RFC and the meaning of bytes 20-47 depends on the opcode, so the opcode-specific
 * accessors are grouped below with the section they come from.
 */
public final class Pdu {
    public static final int BHS_LENGTH = 48;
    /** The reserved tag value (RFC 7143 §11.2.1.8): "no task" / "no response wanted". */
    public static final int RESERVED_TAG = 0xffffffff;

    private final Opcode opcode;
    private final byte[] bhs;
    private final byte[] ahs;
    private final ByteBuffer data;

    /** Wraps a BHS whose opcode is already known valid; {@code data} is position..limit. */
    public Pdu(Opcode opcode, byte[] bhs, byte[] ahs, ByteBuffer data) {
        if (bhs.length != BHS_LENGTH) {
            throw new IllegalArgumentException("BHS must be 48 bytes");
        }
        this.opcode = opcode;
        this.bhs = bhs;
        this.ahs = ahs == null ? new byte[0] : ahs;
        this.data = data == null ? ByteBuffer.allocate(0) : data;
    }

    /** A new target PDU with an empty BHS carrying only {@code opcode}. */
    public static Pdu newTargetPdu(Opcode opcode, ByteBuffer data) {
        return newPdu(opcode, false, data);
    }

    /** A new PDU with an empty BHS carrying only {@code opcode} and, for initiator PDUs, the I (immediate) bit. */
    public static Pdu newPdu(Opcode opcode, boolean immediate, ByteBuffer data) {
        byte[] bhs = new byte[BHS_LENGTH];
        bhs[0] = (byte) (opcode.code() | (immediate ? 0x40 : 0));
        return new Pdu(opcode, bhs, null, data);
    }

    public Opcode opcode() {
        return opcode;
    }

    /** The raw BHS (mutable: target PDUs are filled in place). */
    public byte[] bhs() {
        return bhs;
    }

    public byte[] ahs() {
        return ahs;
    }

    /** The data segment, position..limit; a duplicate so callers cannot move our position. */
    public ByteBuffer data() {
        return data.duplicate();
    }

    public int dataLength() {
        return data.remaining();
    }

    /** Byte 0 bit 6: immediate delivery (RFC 7143 §11.2.1.1). */
    public boolean immediate() {
        return (bhs[0] & 0x40) != 0;
    }

    /** Byte 1: the opcode-specific flags. */
    public int flags() {
        return bhs[1] & 0xff;
    }

    /** Byte 1 bit 7: final (F) or transit (T for login). */
    public boolean finalBit() {
        return (bhs[1] & 0x80) != 0;
    }

    public long lun() {
        return ByteBuffer.wrap(bhs, 8, 8).getLong();
    }

    public int itt() {
        return int32(16);
    }

    /** Bytes 20-23: TTT, EDTL, CID or RTT depending on the opcode. */
    public int word20() {
        return int32(20);
    }

    /** Bytes 24-27: CmdSN (initiator PDUs) or StatSN (target PDUs). */
    public int word24() {
        return int32(24);
    }

    /** Bytes 28-31: ExpStatSN (initiator) or ExpCmdSN (target). */
    public int word28() {
        return int32(28);
    }

    public int word32() {
        return int32(32);
    }

    public int word36() {
        return int32(36);
    }

    public int word40() {
        return int32(40);
    }

    public int word44() {
        return int32(44);
    }

    public int cmdSn() {
        return int32(24);
    }

    public int expStatSn() {
        return int32(28);
    }

    // ---- SCSI Command (§11.3) ----
    public boolean readBit() {
        return (bhs[1] & 0x40) != 0;
    }

    public boolean writeBit() {
        return (bhs[1] & 0x20) != 0;
    }

    public int expectedDataTransferLength() {
        return int32(20);
    }

    /** The CDB: bytes 32-47 plus an Extended CDB AHS (§11.3.5, AHSType 1) when present. */
    public byte[] cdb() {
        byte[] base = Arrays.copyOfRange(bhs, 32, 48);
        int at = 0;
        while (at + 4 <= ahs.length) {
            int len = ((ahs[at] & 0xff) << 8) | (ahs[at + 1] & 0xff);
            int type = ahs[at + 2] & 0xff;
            if (type == 1 && len >= 1 && at + 3 + len <= ahs.length) {
                byte[] out = Arrays.copyOf(base, 16 + len - 1);
                System.arraycopy(ahs, at + 4, out, 16, len - 1);
                return out;
            }
            at += 3 + len + ((4 - ((3 + len) & 3)) & 3);
        }
        return base;
    }

    // ---- Data-Out (§11.7) ----
    public int targetTransferTag() {
        return int32(20);
    }

    public int dataSn() {
        return int32(36);
    }

    public int bufferOffset() {
        return int32(40);
    }

    // ---- Login request (§11.12) ----
    public boolean transit() {
        return (bhs[1] & 0x80) != 0;
    }

    public boolean continueBit() {
        return (bhs[1] & 0x40) != 0;
    }

    public int currentStage() {
        return (bhs[1] >> 2) & 3;
    }

    public int nextStage() {
        return bhs[1] & 3;
    }

    public int versionMax() {
        return bhs[2] & 0xff;
    }

    public int versionMin() {
        return bhs[3] & 0xff;
    }

    /** The 6-byte ISID as 12 hex digits. */
    public String isid() {
        StringBuilder b = new StringBuilder(12);
        for (int i = 8; i < 14; i++) {
            b.append(Character.forDigit((bhs[i] >> 4) & 0xf, 16)).append(Character.forDigit(bhs[i] & 0xf, 16));
        }
        return b.toString();
    }

    public int tsih() {
        return ((bhs[14] & 0xff) << 8) | (bhs[15] & 0xff);
    }

    public int cid() {
        return ((bhs[20] & 0xff) << 8) | (bhs[21] & 0xff);
    }

    /** Login Response (§11.13): Status-Class and Status-Detail as one 16-bit code (0 = success). */
    public int loginStatus() {
        return ((bhs[36] & 0xff) << 8) | (bhs[37] & 0xff);
    }

    // ---- target answers, read by the initiators (warm-up, tests) ----

    /** StatSN of a target PDU (§11.2.1 bytes 24-27). */
    public int statSn() {
        return int32(24);
    }

    /** The SAM status byte of a SCSI Response or a Data-In with S set (§11.4.2, §11.7.4). */
    public int scsiStatus() {
        return bhs[3] & 0xff;
    }

    /** S: this Data-In carries the command's status (phase collapse, §11.7.4). */
    public boolean statusBit() {
        return (bhs[1] & 0x01) != 0;
    }

    /** An R2T's Desired Data Transfer Length (§11.8.4). */
    public int desiredDataTransferLength() {
        return int32(44);
    }

    // ---- Task management (§11.5) and logout (§11.14) ----
    public int function() {
        return bhs[1] & 0x7f;
    }

    public int referencedTaskTag() {
        return int32(20);
    }

    public int refCmdSn() {
        return int32(32);
    }

    public int int32(int offset) {
        return ((bhs[offset] & 0xff) << 24) | ((bhs[offset + 1] & 0xff) << 16)
                | ((bhs[offset + 2] & 0xff) << 8) | (bhs[offset + 3] & 0xff);
    }

    // ---- setters (target PDUs, and the initiator PDUs of the warm-up and test clients) ----
    public Pdu flags(int flags) {
        bhs[1] = (byte) flags;
        return this;
    }

    public Pdu byteAt(int offset, int value) {
        bhs[offset] = (byte) value;
        return this;
    }

    public Pdu int32(int offset, int value) {
        bhs[offset] = (byte) (value >>> 24);
        bhs[offset + 1] = (byte) (value >>> 16);
        bhs[offset + 2] = (byte) (value >>> 8);
        bhs[offset + 3] = (byte) value;
        return this;
    }

    public Pdu int16(int offset, int value) {
        bhs[offset] = (byte) (value >>> 8);
        bhs[offset + 1] = (byte) value;
        return this;
    }

    public Pdu lun(long lun) {
        for (int i = 0; i < 8; i++) {
            bhs[8 + i] = (byte) (lun >>> (56 - 8 * i));
        }
        return this;
    }

    public Pdu itt(int itt) {
        return int32(16, itt);
    }

    /** The TSIH of a Login Response (§11.13.4), given when the session is created. */
    public Pdu tsih(int tsih) {
        return int16(14, tsih);
    }

    /** Copies bytes {@code from..to} of another BHS (ISID+TSIH, LUN...). */
    public Pdu copy(byte[] other, int from, int to) {
        System.arraycopy(other, from, bhs, from, to - from);
        return this;
    }

    @Override
    public String toString() {
        return opcode + "[itt=" + Integer.toHexString(itt()) + ", flags=" + Integer.toHexString(flags())
                + ", data=" + dataLength() + "]";
    }
}
