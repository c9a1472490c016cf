package io.chainboot.iscsi.scsi;

import static io.chainboot.iscsi.scsi.Cdbs.of;
import static io.chainboot.iscsi.scsi.DiskTargetTest.A;
import static io.chainboot.iscsi.scsi.DiskTargetTest.TARGET;
import static io.chainboot.iscsi.scsi.DiskTargetTest.data;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The command table is what the target serves: REPORT SUPPORTED OPERATION CODES lists exactly the
 * opcodes/service actions that do not answer INVALID COMMAND OPERATION CODE (or, for an opcode with service
 * actions, INVALID FIELD IN CDB at byte 1), and every listed one has a handler (no HARDWARE ERROR).
 */
class CommandSetTest {
    final ScsiTarget target = ScsiTargets.of(TARGET, List.of(MemoryBlockDevice.small()));

    ScsiResponse exec(byte[] cdb) {
        return target.execute(new ScsiRequest(A, 0, cdb, null, DiskTargetTest.ANY_DATA_IN));
    }

    static byte[] rsoc(int options, int op, int sa, boolean rctd) {
        byte[] c = new byte[12];
        c[0] = (byte) 0xA3;
        c[1] = 0x0C;
        c[2] = (byte) ((rctd ? 0x80 : 0) | options);
        c[3] = (byte) op;
        Cdb.put16(c, 4, sa);
        Cdb.put32(c, 6, 65535);
        return c;
    }

    @Test
    void theReportedListIsExactlyWhatIsServed() {
        exec(of(0, 0, 0, 0, 0, 0)); // the first command of a nexus takes the POWER ON unit attention
        byte[] all = data(exec(rsoc(0, 0, 0, false)));
        Set<String> reported = new TreeSet<>();
        long len = Cdb.u32(all, 0);
        assertThat(all.length).isEqualTo(4 + len);
        for (int o = 4; o < all.length; o += 8) {
            boolean servactv = (all[o + 5] & 0x01) != 0;
            reported.add(String.format("%02x/%s", all[o] & 0xFF, servactv ? String.format("%02x", Cdb.u16(all, o + 2)) : "-"));
            assertThat(all[o + 5] & 0x02).as("CTDP without RCTD").isZero();
        }
        Set<String> served = new TreeSet<>();
        for (int op = 0; op < 256; op++) {
            for (int sa = 0; sa < 32; sa++) {
                byte[] cdb = new byte[16];
                cdb[0] = (byte) op;
                cdb[1] = (byte) sa;
                ScsiResponse r = exec(cdb);
                if (r.status() == ScsiResponse.CHECK_CONDITION) {
                    assertThat(Sense.ascAscq(r.sense())).as("opcode %02x/%02x: %s", op, sa, HexFormat.of().formatHex(r.sense()))
                            .isNotEqualTo(Sense.INTERNAL_TARGET_FAILURE);
                    if (Sense.ascAscq(r.sense()) == Sense.INVALID_COMMAND_OPERATION_CODE) {
                        break; // the opcode itself is unknown
                    }
                    if (CommandSet.hasServiceActions(op) && Sense.ascAscq(r.sense()) == Sense.INVALID_FIELD_IN_CDB
                            && r.sense()[16] == 0 && r.sense()[17] == 1 && CommandSet.of(cdb) == null) {
                        continue; // an unknown service action of a known opcode
                    }
                }
                served.add(String.format("%02x/%s", op, CommandSet.hasServiceActions(op) ? String.format("%02x", sa) : "-"));
                if (!CommandSet.hasServiceActions(op)) {
                    break;
                }
            }
        }
        assertThat(reported).isEqualTo(served).contains("28/-", "5e/00", "5e/03", "5f/06", "9e/10", "9e/12", "a3/0c", "8b/-");
    }

    @Test
    void oneCommandUsageDataNamesTheBitsEvaluated() {
        exec(of(0, 0, 0, 0, 0, 0));
        // READ(10): DPO and FUA in byte 1, the LBA, the transfer length, CONTROL 0
        assertThat(HexFormat.of().formatHex(data(exec(rsoc(1, 0x28, 0, false))))).isEqualTo("0003000a" + "2818ffffffff00ffff00");
        // PERSISTENT RESERVE OUT / REGISTER AND IGNORE EXISTING KEY: service action, SCOPE/TYPE, list length
        assertThat(HexFormat.of().formatHex(data(exec(rsoc(2, 0x5F, 6, false))))).isEqualTo("0003000a" + "5f1fff00" + "00ffffffff00");
        // with RCTD: a command timeouts descriptor of length 0Ah follows, CTDP set
        assertThat(HexFormat.of().formatHex(data(exec(rsoc(1, 0x00, 0, true))))).isEqualTo("00830006" + "000000000000"
                + "000a" + "00000000000000000000");
        // an opcode that has service actions asked without one, and the other way round: INVALID FIELD IN CDB
        assertThat(Sense.ascAscq(exec(rsoc(1, 0x5E, 0, false)).sense())).isEqualTo(Sense.INVALID_FIELD_IN_CDB);
        assertThat(Sense.ascAscq(exec(rsoc(2, 0x28, 0, false)).sense())).isEqualTo(Sense.INVALID_FIELD_IN_CDB);
        // not implemented: SUPPORT 001b
        assertThat(HexFormat.of().formatHex(data(exec(rsoc(1, 0x9C, 0, false))))).isEqualTo("00010000"); // WRITE ATOMIC(16)
    }

    @Test
    void dataOutLengthsComeFromTheTable() {
        assertThat(target.dataOutLength(Cdbs.rw10(0x2A, 0, 0, 8))).isEqualTo(8 * 512);
        assertThat(target.dataOutLength(of(0x0A, 0, 0, 0, 0, 0))).as("WRITE(6) 0 = 256 blocks").isEqualTo(256 * 512);
        assertThat(target.dataOutLength(Cdbs.rw16(0x8B, 0, 0, 3))).as("ORWRITE(16)").isEqualTo(3 * 512);
        assertThat(target.dataOutLength(Cdbs.rw10(0x2F, 0x02, 0, 4))).as("VERIFY BYTCHK 01b").isEqualTo(4 * 512);
        assertThat(target.dataOutLength(Cdbs.rw10(0x2F, 0x06, 0, 4))).as("VERIFY BYTCHK 11b").isEqualTo(512);
        assertThat(target.dataOutLength(Cdbs.rw10(0x2F, 0x00, 0, 4))).as("VERIFY BYTCHK 00b").isZero();
        assertThat(target.dataOutLength(of(0x5F, 0, 0, 0, 0, 0, 0, 0, 24, 0))).as("PROUT list").isEqualTo(24);
        assertThat(target.dataOutLength(Cdbs.rw10(0x28, 0, 0, 8))).as("READ").isZero();
        assertThat(target.dataOutLength(Cdbs.rw16(0x93, 0x01, 0, 8))).as("WRITE SAME(16) NDOB").isZero();
    }

    @Test
    void everyRowFitsItsCdbAndSpcAndSbcAreApart() {
        Set<String> names = new TreeSet<>();
        for (CdbLayout c : CommandSet.ALL) {
            assertThat(names.add(c.name())).as("one row per command: %s", c.name()).isTrue();
            assertThat(c.handler()).as(c.name()).isNotNull();
            assertThat(c.lbaBytes() == 0 || c.lbaOffset() + c.lbaBytes() <= c.length()).as("LBA inside %s", c.name()).isTrue();
            assertThat(c.lengthBytes() == 0 || c.lengthOffset() + c.lengthBytes() < c.length())
                    .as("length field inside %s, before CONTROL", c.name()).isTrue();
            assertThat(c.zeroMeans256()).as("0 means 256: %s", c.name()).isEqualTo(c.name().equals("READ(6)")
                    || c.name().equals("WRITE(6)"));
        }
        Set<Integer> spc = new TreeSet<>();
        SpcCommands.ALL.forEach(c -> spc.add(c.opcode()));
        SbcCommands.ALL.forEach(c -> assertThat(spc).as("%s is not also an SPC opcode", c.name()).doesNotContain(c.opcode()));
        assertThat(CommandSet.ALL).hasSize(SpcCommands.ALL.size() + SbcCommands.ALL.size());
    }

    @Test
    void rolesNameTheCommandsTheOtherLayersCareAbout() {
        Set<String> read = new TreeSet<>();
        Set<String> capacity = new TreeSet<>();
        Set<String> truncatable = new TreeSet<>();
        for (CdbLayout c : CommandSet.ALL) {
            switch (c.role()) {
                case READ -> read.add(c.name());
                case CAPACITY -> capacity.add(c.name());
                case WRITE -> truncatable.add(c.name());
                case OTHER -> { }
            }
        }
        // the LUN attach: first GOOD READ CAPACITY plus first GOOD READ
        assertThat(read).containsExactlyInAnyOrder("READ(6)", "READ(10)", "READ(12)", "READ(16)");
        assertThat(capacity).containsExactlyInAnyOrder("READ CAPACITY(10)", "READ CAPACITY(16)");
        // an overflowing write is cut to what EDTL covers only for these (ORWRITE and COMPARE AND WRITE are not)
        assertThat(truncatable).containsExactlyInAnyOrder("WRITE(6)", "WRITE(10)", "WRITE(12)", "WRITE(16)",
                "WRITE AND VERIFY(10)", "WRITE AND VERIFY(12)", "WRITE AND VERIFY(16)");
        for (CdbLayout c : CommandSet.ALL) {
            assertThat(c.role() != CdbLayout.Role.WRITE || c.transfer() == CdbLayout.Transfer.OUT_BLOCKS).as(c.name()).isTrue();
        }
    }

    @Test
    void theUsageDataOfEveryRowMatchesWhatOneCommandReportingSays() {
        exec(of(0, 0, 0, 0, 0, 0));
        for (CdbLayout c : CommandSet.ALL) {
            byte[] one = data(exec(rsoc(c.hasServiceAction() ? 2 : 1, c.opcode(), Math.max(c.serviceAction(), 0), false)));
            assertThat(one[1] & 0x07).as("SUPPORT of %s", c.name()).isEqualTo(3);
            assertThat(Cdb.u16(one, 2)).as("CDB SIZE of %s", c.name()).isEqualTo(c.length());
            assertThat(one[4] & 0xFF).as("opcode of %s", c.name()).isEqualTo(c.opcode());
            assertThat(java.util.Arrays.copyOfRange(one, 4, one.length)).as(c.name()).isEqualTo(c.usageData());
        }
    }
}
