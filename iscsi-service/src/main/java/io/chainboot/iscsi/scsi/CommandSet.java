package io.chainboot.iscsi.scsi;

import static io.chainboot.iscsi.scsi.Cdb.u16;
import static io.chainboot.iscsi.scsi.Cdb.u32;
import static io.chainboot.iscsi.scsi.Cdb.u8;

import java.util.ArrayList;
import java.util.List;

/**
 * Every command the target implements: {@link SpcCommands} and {@link SbcCommands} merged into one
 * lookup by operation code (and service action), which the target dispatches from and REPORT
 * SUPPORTED OPERATION CODES reports — so the list can never disagree with what is served. Fails fast
 * on a duplicate row.
 */
final class CommandSet {
    private CommandSet() {}

    static final List<CdbLayout> ALL;
    /** opcode → the layout, for opcodes without service actions. */
    private static final CdbLayout[] PLAIN = new CdbLayout[256];
    /** opcode → service action (0-31) → the layout, for opcodes with service actions. */
    private static final CdbLayout[][] BY_SA = new CdbLayout[256][];

    static {
        List<CdbLayout> all = new ArrayList<>(SpcCommands.ALL);
        all.addAll(SbcCommands.ALL);
        all.sort((a, b) -> a.opcode() != b.opcode() ? a.opcode() - b.opcode() : a.serviceAction() - b.serviceAction());
        for (CdbLayout c : all) {
            if (c.hasServiceAction()) {
                if (PLAIN[c.opcode()] != null) {
                    throw new IllegalStateException("opcode " + c.opcode() + " both with and without service action");
                }
                CdbLayout[] sas = BY_SA[c.opcode()] == null ? BY_SA[c.opcode()] = new CdbLayout[32] : BY_SA[c.opcode()];
                if (sas[c.serviceAction()] != null) {
                    throw new IllegalStateException("duplicate " + c.name() + " / " + sas[c.serviceAction()].name());
                }
                sas[c.serviceAction()] = c;
            } else {
                if (PLAIN[c.opcode()] != null || BY_SA[c.opcode()] != null) {
                    throw new IllegalStateException("duplicate " + c.name());
                }
                PLAIN[c.opcode()] = c;
            }
        }
        ALL = List.copyOf(all);
    }

    /** The layout of this CDB's command, or null when the opcode (or its service action) is not implemented. */
    static CdbLayout of(byte[] cdb) {
        int op = cdb[0] & 0xFF;
        CdbLayout plain = PLAIN[op];
        if (plain != null) {
            return plain;
        }
        CdbLayout[] sas = BY_SA[op];
        return sas == null || cdb.length < 2 ? null : sas[cdb[1] & 0x1F];
    }

    /** Does this opcode take a service action (so an unknown one is INVALID FIELD IN CDB, not INVALID OPCODE)? */
    static boolean hasServiceActions(int opcode) {
        return BY_SA[opcode] != null;
    }

    // ---------------------------------------------------------------- REPORT SUPPORTED OPERATION CODES

    private static final int TIMEOUT_DESCRIPTOR = 12;

    /**
     * REPORT SUPPORTED OPERATION CODES (SPC-4 §6.35): reporting options 000b (all commands), 001b (one
     * opcode without service actions), 010b (one opcode + service action), 011b (either); RCTD adds
     * command timeouts descriptors (no timeouts: 0 = not specified).
     */
    static ScsiResponse reportSupported(byte[] cdb) {
        boolean rctd = (cdb[2] & 0x80) != 0;
        int options = cdb[2] & 0x07;
        int op = u8(cdb, 3);
        int sa = u16(cdb, 4);
        long alloc = u32(cdb, 6);
        byte[] d;
        switch (options) {
            case 0 -> {
                int per = 8 + (rctd ? TIMEOUT_DESCRIPTOR : 0);
                d = new byte[4 + per * ALL.size()];
                Cdb.put32(d, 0, (long) per * ALL.size());
                int o = 4;
                for (CdbLayout c : ALL) {
                    d[o] = (byte) c.opcode();
                    if (c.hasServiceAction()) {
                        Cdb.put16(d, o + 2, c.serviceAction());
                    }
                    d[o + 5] = (byte) ((rctd ? 0x02 : 0) | (c.hasServiceAction() ? 0x01 : 0)); // CTDP, SERVACTV
                    Cdb.put16(d, o + 6, c.length());
                    if (rctd) {
                        Cdb.put16(d, o + 8, 0x0A);
                    }
                    o += per;
                }
            }
            case 1, 2, 3 -> {
                boolean withSa = hasServiceActions(op);
                if ((options == 1 && withSa) || (options == 2 && !withSa)) {
                    return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(2, 2));
                }
                if (withSa && sa > 31) {
                    return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(4, -1));
                }
                CdbLayout c = withSa ? BY_SA[op][sa] : PLAIN[op];
                if (c == null) {
                    d = new byte[4];
                    d[1] = 0x01; // SUPPORT 001b: not supported
                } else {
                    byte[] usage = c.usageData();
                    d = new byte[4 + usage.length + (rctd ? TIMEOUT_DESCRIPTOR : 0)];
                    d[1] = (byte) ((rctd ? 0x80 : 0) | 0x03); // CTDP, SUPPORT 011b: as the standard says
                    Cdb.put16(d, 2, usage.length);
                    System.arraycopy(usage, 0, d, 4, usage.length);
                    if (rctd) {
                        Cdb.put16(d, 4 + usage.length, 0x0A);
                    }
                }
            }
            default -> {
                return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(2, 2));
            }
        }
        int n = (int) Math.min(d.length, alloc);
        return ScsiResponse.good(java.nio.ByteBuffer.wrap(d, 0, n).slice());
    }
}
