package io.chainboot.iscsi.scsi;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A command measured against the initiator's Expected Data Transfer Length (EDTL; RFC 7143 §11.4.5,
 * SAM-5 §5.4.3): residuals, overflow and underflow, and the CDB truncation of an overflowing write.
 * Pure: {@link DiskTarget} asks it before and after running the command; the transport never looks
 * at a CDB.
 *
 * <ul>
 *   <li>Data-in: at most EDTL bytes go back; more → OVERFLOW by the rest; fewer (with data, or GOOD)
 *       → UNDERFLOW by the difference.</li>
 *   <li>Data-out, the CDB's length {@code tl} against EDTL: {@code tl < EDTL} → UNDERFLOW, only
 *       {@code tl} bytes are used; {@code tl > EDTL} → OVERFLOW, and the command is processed normally
 *       but writes only the whole blocks EDTL covers (FCP-4 §9.4.2 option a, what libiscsi 1.19
 *       expects) — for the plain WRITE / WRITE AND VERIFY CDBs (table role {@code WRITE}), whose transfer
 *       length is rewritten; any
 *       other overflowing CDB is ILLEGAL REQUEST / INVALID FIELD IN INFORMATION UNIT.</li>
 * </ul>
 */
final class ExpectedTransfer {
    private ExpectedTransfer() {
    }

    /** What to do with a data-out command. */
    sealed interface WritePlan {
    }

    /** Run {@code cdb} (maybe truncated) on the first {@code bytes} data-out bytes; report {@code residual}. */
    record Execute(byte[] cdb, int bytes, Residual residual) implements WritePlan {
    }

    /** Do not run the command: answer this. */
    record Answer(ScsiResponse response) implements WritePlan {
    }

    /**
     * The plan of a command whose CDB moves {@code tl} data-out bytes (from {@link DiskTarget#dataOutLength})
     * when the initiator expects {@code edtl}, on a LU of {@code blockSize}-byte blocks.
     */
    static WritePlan write(byte[] cdb, int tl, int edtl, int blockSize) {
        if (tl <= edtl) {
            return new Execute(cdb, tl, Residual.underflow(edtl - tl));
        }
        Residual overflow = Residual.overflow(tl - edtl);
        CdbLayout c = CommandSet.of(cdb);
        long blocks = c == null || c.role() != CdbLayout.Role.WRITE || cdb.length < c.length() ? 0
                : c.transferLength(cdb);
        if (blocks == 0) {
            return new Answer(ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST,
                    Sense.INVALID_FIELD_IN_INFORMATION_UNIT)).withTransfer(null, overflow, 0));
        }
        long keep = edtl / blockSize;
        if (keep == 0) { // nothing whole to write: processed, nothing transferred
            return new Answer(ScsiResponse.good().withTransfer(null, overflow, 0));
        }
        return new Execute(withTransferLength(c, cdb, keep), (int) (keep * blockSize), overflow);
    }

    /** A copy of {@code cdb} whose transfer length field says {@code blocks} (below the original, so never 0 → 256). */
    static byte[] withTransferLength(CdbLayout c, byte[] cdb, long blocks) {
        byte[] t = Arrays.copyOf(cdb, cdb.length);
        for (int i = 0; i < c.lengthBytes(); i++) {
            t[c.lengthOffset() + c.lengthBytes() - 1 - i] = (byte) (blocks >>> (8 * i));
        }
        return t;
    }

    /** A data-in answer cut to {@code edtl} bytes, with its residual. */
    static ScsiResponse dataIn(ScsiResponse r, int edtl) {
        ByteBuffer data = r.dataIn();
        int have = data == null ? 0 : data.remaining();
        Residual residual = Residual.NONE;
        if (have > edtl) {
            residual = Residual.overflow(have - edtl);
        } else if (edtl > have && (have > 0 || r.status() == ScsiResponse.GOOD)) {
            residual = Residual.underflow(edtl - have);
        }
        ByteBuffer sent = data;
        if (have > edtl) {
            sent = data.duplicate();
            sent.limit(sent.position() + edtl);
        }
        return r.withTransfer(sent, residual, 0);
    }
}
