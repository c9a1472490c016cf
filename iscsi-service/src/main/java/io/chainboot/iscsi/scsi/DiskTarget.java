package io.chainboot.iscsi.scsi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.jboss.logging.Logger;

/**
 * A target of direct-access block devices: the SPC-4 primary commands ({@link SpcCommands}) and the
 * SBC-3 block commands ({@link SbcCommands}) over {@link BlockDevice}s. This class only measures a
 * command against the expected transfer length ({@link ExpectedTransfer}), picks its LU, takes unit
 * attentions and reservation conflicts, and runs the handler of its {@link CommandSet} row; it decodes
 * no CDB field itself. Stateless per command except unit attentions, reservations and mode parameters,
 * kept per {@link LogicalUnit}; safe for concurrent use by many sessions.
 */
final class DiskTarget implements ScsiTarget {
    private static final Logger LOG = Logger.getLogger(DiskTarget.class);

    private final String targetName;
    private final LogicalUnit[] luns;

    DiskTarget(String targetName, List<BlockDevice> devices) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("a target needs at least LUN 0");
        }
        this.targetName = targetName;
        List<LogicalUnit> l = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            BlockDevice d = devices.get(i);
            if (d.blockSize() <= 0 || d.blockSize() % 512 != 0) {
                throw new IllegalArgumentException("block size " + d.blockSize() + " of LUN " + i);
            }
            try {
                l.add(new LogicalUnit(targetName, i, d));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        this.luns = l.toArray(new LogicalUnit[0]);
    }

    @Override
    public String targetName() {
        return targetName;
    }

    @Override
    public int luns() {
        return luns.length;
    }

    @Override
    public ScsiResponse execute(ScsiRequest request) {
        return execute(request, ByteBuffer::allocate);
    }

    /**
     * The command measured against the expected transfer length ({@link ExpectedTransfer}): a data-out
     * command (the transport has data-out for it, or expects no data while the CDB would move some) runs
     * on the bytes its CDB covers, an overflowing write truncated; a data-in answer is cut to EDTL. Both
     * carry their residual; a GOOD READ CAPACITY or READ feeds the session's {@link LunAttach}.
     */
    @Override
    public ScsiResponse execute(ScsiRequest request, IntFunction<ByteBuffer> dataInBuffers) {
        int edtl = request.expectedDataTransferLength();
        ByteBuffer out = request.dataOut();
        int tl = out != null || edtl == 0 ? dataOutLength(request.cdb()) : 0;
        if (out == null && tl == 0) {
            return attach(request, ExpectedTransfer.dataIn(command(request, dataInBuffers), edtl));
        }
        ExpectedTransfer.WritePlan plan = ExpectedTransfer.write(request.cdb(), tl, edtl,
                luns[0].device.blockSize());
        if (plan instanceof ExpectedTransfer.Answer a) {
            return a.response();
        }
        ExpectedTransfer.Execute e = (ExpectedTransfer.Execute) plan;
        ByteBuffer used = out == null ? ByteBuffer.allocate(0) : out.duplicate();
        used.limit(Math.min(used.limit(), used.position() + e.bytes()));
        ScsiResponse r = command(new ScsiRequest(request.nexus(), request.lun(), e.cdb(), used, edtl,
                request.attach()), dataInBuffers);
        return r.withTransfer(null, e.residual(), r.status() == ScsiResponse.GOOD ? used.remaining() : 0);
    }

    /** LUN attach = first GOOD READ CAPACITY plus first GOOD READ of the session, reported on the completing answer. */
    private ScsiResponse attach(ScsiRequest request, ScsiResponse r) {
        LunAttach watch = request.attach();
        byte[] cdb = request.cdb();
        if (watch == null || r.status() != ScsiResponse.GOOD || cdb == null || cdb.length < 6
                || request.lun() < 0 || request.lun() >= luns.length) {
            return r;
        }
        CdbLayout c = CommandSet.of(cdb);
        if (c == null) {
            return r;
        }
        BlockDevice d = luns[(int) request.lun()].device;
        return switch (c.role()) {
            case CAPACITY -> r.withAttached(watch.capacity(request.lun(), d.blocks(), d.blockSize()));
            case READ -> r.withAttached(watch.read(request.lun()));
            case WRITE, OTHER -> r;
        };
    }

    /** One command as the device server runs it, on exactly the data-out it is given. */
    private ScsiResponse command(ScsiRequest request, IntFunction<ByteBuffer> dataInBuffers) {
        byte[] cdb = request.cdb();
        if (cdb == null || cdb.length < 6) {
            return ScsiResponse.checkCondition(Sense.invalidOpcode());
        }
        int op = cdb[0] & 0xFF;
        if (op == SpcCommands.REPORT_LUNS) { // served by every LUN, known or not (SPC-4 §6.33)
            return SpcCommands.reportLuns(new CdbLayout.Command(CommandSet.of(cdb), cdb, null, luns.length, request,
                    dataInBuffers));
        }
        long lunIndex = request.lun();
        if (lunIndex < 0 || lunIndex >= luns.length) {
            return SpcCommands.unknownLun(op, cdb);
        }
        LogicalUnit lu = luns[(int) lunIndex];
        if (op != SpcCommands.INQUIRY && op != SpcCommands.REQUEST_SENSE) {
            int ua = lu.takeUnitAttention(request.nexus());
            if (ua >= 0) {
                return ScsiResponse.checkCondition(Sense.of(Sense.UNIT_ATTENTION, ua));
            }
        }
        CdbLayout c = CommandSet.of(cdb);
        if (c == null) { // not in the command table: not served (and not reported by REPORT SUPPORTED OPCODES)
            return ScsiResponse.checkCondition(CommandSet.hasServiceActions(op) ? Sense.invalidFieldInCdb(1, 4)
                    : Sense.invalidOpcode());
        }
        if (cdb.length < c.length()) {
            return ScsiResponse.checkCondition(Sense.invalidOpcode());
        }
        if (lu.reservations.conflicts(request.nexus(), c.access())) {
            return new ScsiResponse(ScsiResponse.RESERVATION_CONFLICT, null, null);
        }
        try {
            return c.handler().run(new CdbLayout.Command(c, cdb, lu, luns.length, request, dataInBuffers));
        } catch (SpaceAllocationFailedException e) {
            LOG.warnf("no space on %s LUN %d (%s), opcode %02x: %s", targetName, lu.lun, lu.device, op, e.getMessage());
            return ScsiResponse.checkCondition(Sense.of(Sense.DATA_PROTECT, Sense.SPACE_ALLOCATION_FAILED_WRITE_PROTECT));
        } catch (IOException e) {
            boolean write = c.dataOut();
            LOG.warnf(e, "I/O error on %s LUN %d (%s), opcode %02x", targetName, lu.lun, lu.device, op);
            return ScsiResponse.checkCondition(Sense.of(Sense.MEDIUM_ERROR,
                    write ? Sense.WRITE_ERROR : Sense.UNRECOVERED_READ_ERROR));
        } catch (RuntimeException e) {
            // a bug in a BlockDevice (or here) must not take the session down with it
            LOG.errorf(e, "internal failure on %s LUN %d (%s), opcode %02x", targetName, lu.lun, lu.device, op);
            return ScsiResponse.checkCondition(Sense.of(Sense.HARDWARE_ERROR, Sense.INTERNAL_TARGET_FAILURE));
        }
    }

    // ---------------------------------------------------------------- transfer lengths

    /** The data-out the CDB asks for, from its {@link CommandSet} row; 0 for an unknown or short CDB. */
    @Override
    public int dataOutLength(byte[] cdb) {
        if (cdb == null || cdb.length < 6) {
            return 0;
        }
        CdbLayout c = CommandSet.of(cdb);
        if (c == null || cdb.length < c.length()) {
            return 0;
        }
        long n = c.dataOutLength(cdb);
        if (!c.dataOutIsBlocks()) {
            return (int) Math.min(n, Integer.MAX_VALUE);
        }
        // all LUNs of a Chainboot target have 512-byte blocks; clamp to the largest transfer we accept
        long bytes = Math.min(n, (long) Inquiry.MAX_TRANSFER_BLOCKS + 1) * luns[0].device.blockSize();
        return (int) Math.min(bytes, Integer.MAX_VALUE);
    }

    // ---------------------------------------------------------------- task management

    @Override
    public void lunReset(long lun) {
        if (lun >= 0 && lun < luns.length) {
            luns[(int) lun].reset();
        }
    }

    @Override
    public void targetReset() {
        for (LogicalUnit lu : luns) {
            lu.reset();
        }
    }

    @Override
    public void nexusLost(Nexus nexus) {
        for (LogicalUnit lu : luns) {
            lu.forget(nexus);
        }
    }
}
