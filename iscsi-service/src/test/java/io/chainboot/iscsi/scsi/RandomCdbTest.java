package io.chainboot.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bad input is a value: random CDBs (mostly of implemented opcodes, with random fields and
 * parameter data) never throw, and every answer is GOOD or CHECK CONDITION with well-formed sense.
 */
class RandomCdbTest {
    static final int[] OPCODES = {
        0x00, 0x03, 0x08, 0x0A, 0x12, 0x15, 0x1A, 0x1B, 0x1E, 0x25, 0x28, 0x2A, 0x2E, 0x2F, 0x35, 0x41, 0x42,
        0x55, 0x5A, 0x88, 0x8A, 0x8E, 0x8F, 0x91, 0x93, 0x9E, 0xA0, 0xA8, 0xAA, 0xAE, 0xAF, 0xFF, 0x7F,
    };

    @Test
    void randomCommandsNeverThrowAndAlwaysAnswerWithStatusAndSense() {
        Random rnd = new Random(20260122L); // fixed seed: a failure is reproducible
        MemoryBlockDevice disk = new MemoryBlockDevice(4096, false, true);
        ScsiTarget t = ScsiTargets.of("iqn.x:fuzz", List.of(disk, new MemoryBlockDevice(64, true, false)));
        for (int i = 0; i < 50_000; i++) {
            byte[] cdb = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(17) : new int[] {6, 10, 12, 16}[rnd.nextInt(4)]];
            rnd.nextBytes(cdb);
            if (cdb.length > 0) {
                cdb[0] = (byte) OPCODES[rnd.nextInt(OPCODES.length)];
            }
            if (cdb.length > 8 && rnd.nextBoolean()) { // keep lengths small often, so commands get past range checks
                for (int k = 2; k < cdb.length; k++) {
                    cdb[k] = (byte) (rnd.nextInt(4) == 0 ? cdb[k] : rnd.nextInt(3));
                }
            }
            ByteBuffer out = null;
            if (rnd.nextBoolean()) {
                byte[] d = new byte[rnd.nextInt(3) == 0 ? rnd.nextInt(64) : 512 * rnd.nextInt(4)];
                rnd.nextBytes(d);
                out = ByteBuffer.wrap(d);
            }
            long lun = rnd.nextInt(8) == 0 ? rnd.nextInt(5) - 1 : 0;
            Nexus n = new Nexus("iqn.x:i" + rnd.nextInt(3), "1", "iqn.x:fuzz");
            ScsiResponse r;
            assertThat(t.dataOutLength(cdb)).as("dataOutLength").isBetween(0, (Inquiry.MAX_TRANSFER_BLOCKS + 1) * 512);
            try {
                r = t.execute(new ScsiRequest(n, lun, cdb, out, out == null ? 0 : out.remaining()));
            } catch (RuntimeException e) {
                throw new AssertionError("CDB " + HexFormat.of().formatHex(cdb) + " on LUN " + lun + " threw", e);
            }
            assertThat(r.status()).as(HexFormat.of().formatHex(cdb)).isIn(ScsiResponse.GOOD, ScsiResponse.CHECK_CONDITION);
            if (r.status() == ScsiResponse.CHECK_CONDITION) {
                assertThat(r.sense()).hasSize(Sense.LENGTH);
                assertThat(r.sense()[0] & 0x7F).isEqualTo(0x70);
            }
            if (rnd.nextInt(1000) == 0) {
                t.targetReset();
            }
        }
    }
}
