package io.chainboot.iscsi.scsi;

import static io.chainboot.iscsi.scsi.Cdbs.of;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Residuals, overflow/underflow and write truncation against the expected transfer length, decided by
 * the SCSI layer (RFC 7143 §11.4.5, FCP-4 §9.4.2 option a), and the LUN attach it reports.
 */
class ExpectedTransferTest {
    static final Nexus A = DiskTargetTest.A;
    MemoryBlockDevice disk;
    ScsiTarget target;

    @BeforeEach
    void setUp() {
        disk = MemoryBlockDevice.small();
        target = ScsiTargets.of(DiskTargetTest.TARGET, List.of(disk));
        target.execute(new ScsiRequest(A, 0, of(0, 0, 0, 0, 0, 0), null, 0)); // the power-on unit attention
    }

    ScsiResponse run(byte[] cdb, ByteBuffer out, int edtl, LunAttach attach) {
        return target.execute(new ScsiRequest(A, 0, cdb, out, edtl, attach));
    }

    byte[] block(long lba) {
        return java.util.Arrays.copyOfRange(disk.data, (int) lba * 512, (int) lba * 512 + 512);
    }

    static byte[] blocks(int n, int value) {
        return Cdbs.filled(512 * n, value).array();
    }

    @Test
    void readsAreCutToEdtlWithTheirResidual() {
        ScsiResponse over = run(Cdbs.rw10(0x28, 0, 0, 4), null, 1024, null);
        assertThat(over.dataIn().remaining()).isEqualTo(1024);
        assertThat(over.residual()).isEqualTo(new Residual(Residual.Kind.OVERFLOW, 1024));
        ScsiResponse under = run(Cdbs.rw10(0x28, 0, 0, 1), null, 4096, null);
        assertThat(under.dataIn().remaining()).isEqualTo(512);
        assertThat(under.residual()).isEqualTo(new Residual(Residual.Kind.UNDERFLOW, 3584));
        ScsiResponse exact = run(Cdbs.rw10(0x28, 0, 0, 1), null, 512, null);
        assertThat(exact.residual()).isEqualTo(Residual.NONE);
        // GOOD without data: the whole EDTL is missing; CHECK CONDITION without data: no residual
        assertThat(run(of(0, 0, 0, 0, 0, 0), null, 100, null).residual()).isEqualTo(Residual.underflow(100));
        ScsiResponse failed = run(Cdbs.rw10(0x28, 0, 1L << 30, 1), null, 512, null);
        assertThat(failed.status()).isEqualTo(ScsiResponse.CHECK_CONDITION);
        assertThat(failed.residual()).isEqualTo(Residual.NONE);
    }

    @Test
    void writeUnderflowWritesOnlyWhatTheCdbCovers() {
        ByteBuffer out = ByteBuffer.wrap(blocks(2, 0x5a));
        ScsiResponse r = run(Cdbs.rw10(0x2A, 0, 10, 1), out, 1024, null);
        assertThat(r.status()).isEqualTo(ScsiResponse.GOOD);
        assertThat(r.residual()).isEqualTo(new Residual(Residual.Kind.UNDERFLOW, 512));
        assertThat(r.written()).isEqualTo(512);
        assertThat(block(10)).containsOnly(0x5a);
        assertThat(block(11)).containsOnly(0);
    }

    @Test
    void writeOverflowWritesTheWholeBlocksEdtlCovers() {
        for (byte[] cdb : List.of(Cdbs.rw10(0x2A, 0, 20, 4), Cdbs.rw16(0x8A, 0, 20, 4), Cdbs.rw12(0xAA, 0, 20, 4),
                of(0x0A, 0, 0, 20, 4, 0), Cdbs.rw10(0x2E, 0, 20, 4))) {
            disk = MemoryBlockDevice.small();
            target = ScsiTargets.of(DiskTargetTest.TARGET, List.of(disk));
            run(of(0, 0, 0, 0, 0, 0), null, 0, null);
            ScsiResponse r = run(cdb, ByteBuffer.wrap(blocks(2, 0x77)), 1024 + 100, null);
            assertThat(r.status()).as("%02x", cdb[0]).isEqualTo(ScsiResponse.GOOD);
            assertThat(r.residual()).isEqualTo(new Residual(Residual.Kind.OVERFLOW, 2048 - 1124));
            assertThat(r.written()).isEqualTo(1024);
            assertThat(block(21)).containsOnly(0x77);
            assertThat(block(22)).containsOnly(0);
        }
        // less than one block expected: processed, nothing written
        ScsiResponse none = run(Cdbs.rw10(0x2A, 0, 30, 1), ByteBuffer.wrap(new byte[100]), 100, null);
        assertThat(none.status()).isEqualTo(ScsiResponse.GOOD);
        assertThat(none.written()).isZero();
        assertThat(none.residual()).isEqualTo(new Residual(Residual.Kind.OVERFLOW, 412));
    }

    @Test
    void anOverflowingCdbThatCannotBeCutIsRefused() {
        byte[] orwrite = Cdbs.rw16(0x8B, 0, 0, 2);
        ScsiResponse r = run(orwrite, ByteBuffer.wrap(blocks(1, 1)), 512, null);
        assertThat(r.status()).isEqualTo(ScsiResponse.CHECK_CONDITION);
        assertThat(r.sense()[2] & 0x0f).isEqualTo(Sense.ILLEGAL_REQUEST);
        assertThat(((r.sense()[12] & 0xff) << 8) | (r.sense()[13] & 0xff)).isEqualTo(Sense.INVALID_FIELD_IN_INFORMATION_UNIT);
        assertThat(r.residual()).isEqualTo(new Residual(Residual.Kind.OVERFLOW, 512));
        assertThat(block(0)).containsOnly(0);
    }

    @Test
    void theLunAttachIsReportedOnceOnTheAnswerThatCompletesIt() {
        LunAttach watch = new LunAttach();
        assertThat(run(Cdbs.rw10(0x28, 0, 0, 1), null, 512, watch).attached()).isNull(); // READ first
        assertThat(run(of(0x12, 0, 0, 0, 36, 0), null, 36, watch).attached()).isNull();
        ScsiResponse rc = run(of(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), null, 8, watch);
        assertThat(rc.attached()).isEqualTo(new LunAttach.Attached(0, disk.blocks(), 512));
        assertThat(run(Cdbs.rw10(0x28, 0, 0, 1), null, 512, watch).attached()).isNull();
        assertThat(run(Cdbs.readCapacity16(32), null, 32, watch).attached()).isNull();

        LunAttach other = new LunAttach(); // another session: its own attach; a failed READ does not count
        assertThat(run(Cdbs.readCapacity16(32), null, 32, other).attached()).isNull();
        assertThat(run(Cdbs.rw10(0x28, 0, 1L << 30, 1), null, 512, other).attached()).isNull();
        assertThat(run(of(0x08, 0, 0, 0, 1, 0), null, 512, other).attached())
                .isEqualTo(new LunAttach.Attached(0, disk.blocks(), 512));
    }
}
