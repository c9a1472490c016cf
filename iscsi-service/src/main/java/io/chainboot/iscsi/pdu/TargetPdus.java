package io.chainboot.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * Builders of the PDUs a target sends in the full feature phase (RFC 7143 §11), so no caller sets a
 * field by byte offset. StatSN, ExpCmdSN and MaxCmdSN (bytes 24-35) are left for the sender, which fills
 * them in wire order ({@link #setSequenceNumbers}).
 */
public final class TargetPdus {
    private TargetPdus() {}

    /** SCSI Response / Data-In residual flags (§11.4.5.1): the initiator expected more / less. */
    public static final int RESIDUAL_UNDERFLOW = 0x02;
    public static final int RESIDUAL_OVERFLOW = 0x04;
    private static final int FINAL = 0x80;
    private static final int STATUS = 0x01;

    /**
     * Login Response (§11.13) answering {@code req}: T/CSG/NSG, version-max and version-active 0, the
     * request's ISID and TSIH (the TSIH of a new session is set later, {@link Pdu#tsih(int)}), its ITT, the
     * status class and detail (0/0 = success).
     */
    public static Pdu loginResponse(Pdu req, boolean transit, int csg, int nsg, ByteBuffer text, int statusClass,
            int statusDetail) {
        return Pdu.newTargetPdu(Opcode.LOGIN_RESPONSE, text)
                .flags((transit ? FINAL : 0) | ((csg & 3) << 2) | (transit ? nsg & 3 : 0)).byteAt(2, 0).byteAt(3, 0)
                .copy(req.bhs(), 8, 16).itt(req.itt()).byteAt(36, statusClass).byteAt(37, statusDetail);
    }

    /** R2T (§11.8) for {@code length} bytes at {@code offset}. */
    public static Pdu r2t(long lun, int itt, int ttt, int r2tSn, int offset, int length) {
        return Pdu.newTargetPdu(Opcode.R2T, null).flags(FINAL).lun(lun).itt(itt)
                .int32(20, ttt).int32(36, r2tSn).int32(40, offset).int32(44, length);
    }

    /** SCSI Data-In (§11.7) without status; F at the end of a burst. */
    public static Pdu dataIn(int itt, int dataSn, int offset, ByteBuffer data, boolean endOfBurst) {
        return Pdu.newTargetPdu(Opcode.DATA_IN, data).itt(itt).int32(20, Pdu.RESERVED_TAG)
                .int32(36, dataSn).int32(40, offset).flags(endOfBurst ? FINAL : 0);
    }

    /** The last Data-In carrying the status too (phase collapse, §11.7.4): F, S, residual. */
    public static Pdu dataInWithStatus(int itt, int dataSn, int offset, ByteBuffer data, int status, int residualFlags,
            int residual) {
        return dataIn(itt, dataSn, offset, data, true).flags(FINAL | STATUS | residualFlags).byteAt(3, status)
                .int32(44, residual);
    }

    /** Whether a target PDU is a Data-In that carries no status (it must not carry or advance StatSN). */
    public static boolean isDataInWithoutStatus(Pdu p) {
        return p.opcode() == Opcode.DATA_IN && (p.flags() & STATUS) == 0;
    }

    /** SCSI Response (§11.4): response 00h (command completed at target), status, sense with its SenseLength. */
    public static Pdu scsiResponse(int itt, int status, byte[] sense, int residualFlags, int residual, int expDataSn) {
        ByteBuffer data = null;
        if (sense != null && sense.length > 0) {
            data = ByteBuffer.allocate(2 + sense.length);
            data.putShort((short) sense.length).put(sense).flip();
        }
        return Pdu.newTargetPdu(Opcode.SCSI_RESPONSE, data).flags(FINAL | residualFlags).byteAt(2, 0)
                .byteAt(3, status).itt(itt).int32(36, expDataSn).int32(44, residual);
    }

    /** NOP-In answering a NOP-Out (§11.19): its LUN and ITT, its data echoed, TTT reserved. */
    public static Pdu nopInReply(Pdu nopOut, ByteBuffer data) {
        return Pdu.newTargetPdu(Opcode.NOP_IN, data).flags(FINAL).copy(nopOut.bhs(), 8, 16).itt(nopOut.itt())
                .int32(20, Pdu.RESERVED_TAG);
    }

    /** Target-initiated NOP-In (a ping, §11.19.1): ITT reserved, a TTT the initiator must answer with. */
    public static Pdu nopInPing(int ttt) {
        return Pdu.newTargetPdu(Opcode.NOP_IN, null).flags(FINAL).itt(Pdu.RESERVED_TAG).int32(20, ttt);
    }

    /** Task Management Function Response (§11.6). */
    public static Pdu taskManagementResponse(int itt, TmfResponse response) {
        return Pdu.newTargetPdu(Opcode.TASK_MGMT_RESPONSE, null).flags(FINAL).byteAt(2, response.code()).itt(itt);
    }

    /** Text Response (§11.11), final, for the request's LUN and ITT. */
    public static Pdu textResponse(Pdu request, ByteBuffer text) {
        return Pdu.newTargetPdu(Opcode.TEXT_RESPONSE, text).flags(FINAL).copy(request.bhs(), 8, 16)
                .itt(request.itt()).int32(20, Pdu.RESERVED_TAG);
    }

    /** Logout Response (§11.15): Time2Wait and Time2Retain 0. */
    public static Pdu logoutResponse(int itt, LogoutResponse response) {
        return Pdu.newTargetPdu(Opcode.LOGOUT_RESPONSE, null).flags(FINAL).byteAt(2, response.code()).itt(itt)
                .int16(40, 0).int16(42, 0);
    }

    /** Reject (§11.17) carrying the offending header as its data. */
    public static Pdu reject(byte[] offendingBhs, RejectReason reason) {
        return Pdu.newTargetPdu(Opcode.REJECT, ByteBuffer.wrap(offendingBhs.clone())).flags(FINAL)
                .byteAt(2, reason.code()).itt(Pdu.RESERVED_TAG);
    }

    /** StatSN (unless {@code statSn} is null: a Data-In without status), ExpCmdSN, MaxCmdSN (§11.2.1). */
    public static void setSequenceNumbers(Pdu p, Integer statSn, int expCmdSn, int maxCmdSn) {
        if (statSn != null) {
            p.int32(24, statSn);
        }
        p.int32(28, expCmdSn).int32(32, maxCmdSn);
    }
}
