package io.chainboot.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * Builders of the PDUs an initiator sends (RFC 7143 §11), for the warm-up client and the tests'
 * initiators, so no caller outside this package sets a field by byte offset. CmdSN and ExpStatSN are
 * the caller's bookkeeping and passed in.
 */
public final class InitiatorPdus {
    private InitiatorPdus() {}

    private static final int FINAL = 0x80;
    private static final int TRANSIT = 0x80;
    private static final int READ = 0x40;
    private static final int WRITE = 0x20;
    /** SCSI Command task attribute SIMPLE (§11.3.1). */
    private static final int ATTR_SIMPLE = 0x01;
    /** The largest CDB the BHS holds; longer ones need the Extended CDB AHS, which no builder here writes. */
    private static final int BHS_CDB_BYTES = 16;

    /** Login Request (§11.12), immediate: T with NSG when {@code transit}, CSG, the 6-byte ISID, TSIH 0, CID 0. */
    public static Pdu loginRequest(boolean transit, int csg, int nsg, byte[] isid, int itt, int cmdSn, int expStatSn,
            ByteBuffer text) {
        if (isid.length != 6) {
            throw new IllegalArgumentException("an ISID has 6 bytes, not " + isid.length);
        }
        Pdu p = Pdu.newPdu(Opcode.LOGIN_REQUEST, true, text)
                .flags((transit ? TRANSIT : 0) | (csg << 2) | (transit ? nsg : 0)).itt(itt).int32(24, cmdSn)
                .int32(28, expStatSn);
        System.arraycopy(isid, 0, p.bhs(), 8, 6);
        return p;
    }

    /**
     * SCSI Command (§11.3), final, SIMPLE: R when data-in is expected ({@code edtl > 0} and no write), W for
     * a write, {@code immediate} its immediate data (may be empty).
     */
    public static Pdu scsiCommand(long lun, int itt, byte[] cdb, int edtl, boolean write, int cmdSn, int expStatSn,
            ByteBuffer immediate) {
        if (cdb.length > BHS_CDB_BYTES) {
            throw new IllegalArgumentException("a CDB of " + cdb.length + " bytes needs the Extended CDB AHS");
        }
        Pdu p = Pdu.newPdu(Opcode.SCSI_COMMAND, false, immediate)
                .flags(FINAL | (!write && edtl > 0 ? READ : 0) | (write ? WRITE : 0) | ATTR_SIMPLE)
                .lun(lun).itt(itt).int32(20, edtl).int32(24, cmdSn).int32(28, expStatSn);
        System.arraycopy(cdb, 0, p.bhs(), 32, cdb.length);
        return p;
    }

    /** SCSI Data-Out (§11.7) answering {@code r2t}: its LUN, ITT and TTT; F on the last PDU of the sequence. */
    public static Pdu dataOut(Pdu r2t, boolean last, int expStatSn, int dataSn, int bufferOffset, ByteBuffer data) {
        return Pdu.newPdu(Opcode.DATA_OUT, false, data).flags(last ? FINAL : 0).copy(r2t.bhs(), 8, 20)
                .int32(20, r2t.targetTransferTag()).int32(28, expStatSn).int32(36, dataSn).int32(40, bufferOffset);
    }

    /** NOP-Out (§11.18), immediate, with a task tag: the target answers with a NOP-In echoing {@code data}. */
    public static Pdu nopOut(int itt, int cmdSn, int expStatSn, ByteBuffer data) {
        return Pdu.newPdu(Opcode.NOP_OUT, true, data).flags(FINAL).itt(itt).int32(20, Pdu.RESERVED_TAG)
                .int32(24, cmdSn).int32(28, expStatSn);
    }

    /** Text Request (§11.10), final, a new exchange (TTT reserved). */
    public static Pdu textRequest(int itt, int cmdSn, int expStatSn, ByteBuffer text) {
        return Pdu.newPdu(Opcode.TEXT_REQUEST, false, text).flags(FINAL).itt(itt).int32(20, Pdu.RESERVED_TAG)
                .int32(24, cmdSn).int32(28, expStatSn);
    }

    /** Logout Request (§11.14), immediate, reason 0: close the session. */
    public static Pdu logoutRequest(int itt, int cmdSn, int expStatSn) {
        return Pdu.newPdu(Opcode.LOGOUT_REQUEST, true, null).flags(FINAL).itt(itt).int32(24, cmdSn)
                .int32(28, expStatSn);
    }
}
