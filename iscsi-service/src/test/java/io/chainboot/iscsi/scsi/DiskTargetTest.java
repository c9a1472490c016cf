package io.chainboot.iscsi.scsi;

import static io.chainboot.iscsi.scsi.Cdbs.of;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Command-level behaviour of the SCSI target: CDB bytes in, exact status, data and sense out. */
class DiskTargetTest {
    static final String TARGET = "iqn.2026-01.io.chainboot:m-52-54-00-12-34-56";
    static final Nexus A = new Nexus("iqn.2026-01.io.chainboot:init-a", "400001370000", TARGET);
    static final Nexus B = new Nexus("iqn.2026-01.io.chainboot:init-b", "400001370001", TARGET);

    /** Expected transfer length of the helpers' commands without data-out: more than any answer, so none is cut. */
    static final int ANY_DATA_IN = 1 << 24;

    MemoryBlockDevice disk;
    MemoryBlockDevice second;
    ScsiTarget target;

    @BeforeEach
    void setUp() {
        disk = MemoryBlockDevice.small();
        second = new MemoryBlockDevice(1024, true, false);
        target = ScsiTargets.of(TARGET, List.of(disk, second));
        clearUa(A, 0);
    }

    ScsiResponse exec(Nexus n, long lun, byte[] cdb, ByteBuffer out) {
        int expected = out != null ? out.remaining() : ANY_DATA_IN; // a read's whole answer, uncut
        return target.execute(new ScsiRequest(n, lun, cdb, out, expected));
    }

    ScsiResponse exec(byte[] cdb) {
        return exec(A, 0, cdb, null);
    }

    ScsiResponse exec(byte[] cdb, ByteBuffer out) {
        return exec(A, 0, cdb, out);
    }

    void clearUa(Nexus n, long lun) {
        assertSense(exec(n, lun, of(0, 0, 0, 0, 0, 0), null), Sense.UNIT_ATTENTION, Sense.POWER_ON_RESET);
        assertGood(exec(n, lun, of(0, 0, 0, 0, 0, 0), null));
    }

    static byte[] data(ScsiResponse r) {
        ByteBuffer d = r.dataIn().duplicate();
        byte[] b = new byte[d.remaining()];
        d.get(b);
        return b;
    }

    static void assertGood(ScsiResponse r) {
        assertThat(r.status()).as("status, sense %s", r.sense() == null ? "-" : HexFormat.of().formatHex(r.sense()))
                .isEqualTo(ScsiResponse.GOOD);
    }

    static byte[] assertSense(ScsiResponse r, int key, int ascAscq) {
        assertThat(r.status()).isEqualTo(ScsiResponse.CHECK_CONDITION);
        assertThat(r.sense()).hasSize(18);
        assertThat(r.sense()[0] & 0x7F).isEqualTo(0x70);
        assertThat(Sense.key(r.sense())).isEqualTo(key);
        assertThat(Integer.toHexString(Sense.ascAscq(r.sense()))).isEqualTo(Integer.toHexString(ascAscq));
        return r.sense();
    }

    static void assertFieldPointer(byte[] sense, boolean cdb, int byteIndex) {
        assertThat(sense[15] & 0x80).as("SKSV").isEqualTo(0x80);
        assertThat((sense[15] & 0x40) != 0).as("C/D").isEqualTo(cdb);
        assertThat(Cdb.u16(sense, 16)).as("field pointer").isEqualTo(byteIndex);
    }

    // ------------------------------------------------------------------ unit attentions

    @Test
    void aNewNexusSeesPowerOnResetOnceButInquiryAndReportLunsDoNotConsumeIt() {
        assertGood(exec(B, 0, Cdbs.inquiry(false, 0, 36), null));
        assertGood(exec(B, 0, of(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), null));
        assertSense(exec(B, 0, Cdbs.rw10(0x28, 0, 0, 1), null), Sense.UNIT_ATTENTION, Sense.POWER_ON_RESET);
        assertGood(exec(B, 0, Cdbs.rw10(0x28, 0, 0, 1), null));
    }

    @Test
    void requestSenseReportsAndClearsAPendingUnitAttention() {
        ScsiResponse r = exec(B, 0, of(0x03, 0, 0, 0, 18, 0), null);
        assertGood(r);
        byte[] s = data(r);
        assertThat(s[2] & 0xF).isEqualTo(Sense.UNIT_ATTENTION);
        assertThat(s[12]).isEqualTo((byte) 0x29);
        byte[] none = data(exec(B, 0, of(0x03, 0, 0, 0, 18, 0), null));
        assertThat(none[2] & 0xF).isEqualTo(Sense.NO_SENSE);
        assertThat(none[12]).isZero();
        assertGood(exec(B, 0, of(0, 0, 0, 0, 0, 0), null));
    }

    @Test
    void lunResetAndTargetResetRaiseUnitAttentionOnEveryNexus() {
        clearUa(B, 0);
        target.lunReset(0);
        assertSense(exec(of(0, 0, 0, 0, 0, 0)), Sense.UNIT_ATTENTION, Sense.POWER_ON_RESET);
        assertSense(exec(B, 0, of(0, 0, 0, 0, 0, 0), null), Sense.UNIT_ATTENTION, Sense.POWER_ON_RESET);
        assertGood(exec(of(0, 0, 0, 0, 0, 0)));
        clearUa(A, 1);
        target.targetReset();
        assertSense(exec(A, 1, of(0, 0, 0, 0, 0, 0), null), Sense.UNIT_ATTENTION, Sense.POWER_ON_RESET);
        assertSense(exec(of(0, 0, 0, 0, 0, 0)), Sense.UNIT_ATTENTION, Sense.POWER_ON_RESET);
    }

    @Test
    void aNexusThatLoggedOutAndBackInSeesPowerOnAgain() {
        target.nexusLost(A);
        assertSense(exec(of(0, 0, 0, 0, 0, 0)), Sense.UNIT_ATTENTION, Sense.POWER_ON_RESET);
    }

    // ------------------------------------------------------------------ LUNs

    @Test
    void unknownLunIsNotSupportedExceptForInquiryAndReportLuns() {
        assertSense(exec(A, 7, of(0, 0, 0, 0, 0, 0), null), Sense.ILLEGAL_REQUEST, Sense.LOGICAL_UNIT_NOT_SUPPORTED);
        byte[] inq = data(exec(A, 7, Cdbs.inquiry(false, 0, 36), null));
        assertThat(inq[0]).isEqualTo((byte) 0x7F);
        ScsiResponse rl = exec(A, 7, of(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), null);
        assertGood(rl);
        assertThat(HexFormat.of().formatHex(data(rl)))
                .isEqualTo("00000010" + "00000000" + "0000000000000000" + "0001000000000000");
    }

    @Test
    void reportLunsRejectsATooSmallAllocationAndUnknownSelectReport() {
        byte[] s = assertSense(exec(of(0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0)), Sense.ILLEGAL_REQUEST,
                Sense.INVALID_FIELD_IN_CDB);
        assertFieldPointer(s, true, 6);
        assertSense(exec(of(0xA0, 0, 5, 0, 0, 0, 0, 0, 1, 0, 0, 0)), Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB);
    }

    // ------------------------------------------------------------------ INQUIRY

    @Test
    void standardInquiryClaimsSpc4Sbc3AndIsTruncatedToTheAllocationLength() {
        byte[] d = data(exec(Cdbs.inquiry(false, 0, 255)));
        assertThat(d).hasSize(74);
        assertThat(HexFormat.of().formatHex(d, 0, 8)).isEqualTo("0000061245000002");
        assertThat(new String(d, 8, 28, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("CHAINBT Chainboot Disk  0001");
        assertThat(HexFormat.of().formatHex(d, 58, 66)).isEqualTo("00a0096004600 4c0".replace(" ", ""));
        assertThat(data(exec(Cdbs.inquiry(false, 0, 5)))).hasSize(5);
    }

    @Test
    void inquiryPageCodeWithoutEvpdAndUnknownVpdPagesAreInvalidFields() {
        byte[] s = assertSense(exec(Cdbs.inquiry(false, 0x83, 255)), Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB);
        assertFieldPointer(s, true, 2);
        assertSense(exec(Cdbs.inquiry(true, 0xC7, 255)), Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void supportedVpdPagesAreListedInOrder() {
        assertThat(HexFormat.of().formatHex(data(exec(Cdbs.inquiry(true, 0, 255))))).isEqualTo("000000060080 83b0b1b2".replace(" ", ""));
    }

    @Test
    void unitSerialNumberComesFromTheDevice() {
        assertThat(HexFormat.of().formatHex(data(exec(Cdbs.inquiry(true, 0x80, 255)))))
                .isEqualTo("00800007" + HexFormat.of().formatHex("MEM0001".getBytes()));
    }

    @Test
    void deviceIdentificationHasAStableNaa6PerTargetAndLun() {
        byte[] lun0 = data(exec(Cdbs.inquiry(true, 0x83, 255)));
        clearUa(A, 1);
        byte[] lun1 = data(exec(A, 1, Cdbs.inquiry(true, 0x83, 255), null));
        assertThat(lun0[1]).isEqualTo((byte) 0x83);
        assertThat(Cdb.u16(lun0, 2)).isEqualTo(lun0.length - 4);
        // first designator: binary, LU, NAA, 16 bytes, NAA 6
        assertThat(HexFormat.of().formatHex(lun0, 4, 8)).isEqualTo("01030010");
        assertThat(lun0[8] & 0xF0).isEqualTo(0x60);
        byte[] naa0 = java.util.Arrays.copyOfRange(lun0, 8, 24);
        byte[] naa1 = java.util.Arrays.copyOfRange(lun1, 8, 24);
        assertThat(naa0).isNotEqualTo(naa1);
        ScsiTarget again = ScsiTargets.of(TARGET, List.of(MemoryBlockDevice.small()));
        again.execute(new ScsiRequest(A, 0, of(0, 0, 0, 0, 0, 0), null, 0));
        byte[] lun0Again = data(again.execute(new ScsiRequest(A, 0, Cdbs.inquiry(true, 0x83, 255), null, 255)));
        assertThat(java.util.Arrays.copyOfRange(lun0Again, 8, 24)).isEqualTo(naa0);
        assertThat(new String(lun0, java.nio.charset.StandardCharsets.UTF_8)).contains(TARGET);
    }

    @Test
    void blockLimitsAdvertiseTransferAndUnmapLimits() {
        byte[] d = data(exec(Cdbs.inquiry(true, 0xB0, 255)));
        assertThat(d).hasSize(64);
        assertThat(d[3]).isEqualTo((byte) 0x3C);
        assertThat(Cdb.u32(d, 8)).isEqualTo(Inquiry.MAX_TRANSFER_BLOCKS);
        assertThat(Cdb.u32(d, 20)).isEqualTo(0xFFFFFFFFL);
        assertThat(Cdb.u32(d, 24)).isEqualTo(Inquiry.MAX_UNMAP_DESCRIPTORS);
        assertThat(Cdb.u64(d, 36)).isEqualTo(Inquiry.MAX_WRITE_SAME_BLOCKS);
    }

    @Test
    void provisioningPageAndReadCapacity16AgreeOnThinProvisioning() {
        assertThat(HexFormat.of().formatHex(data(exec(Cdbs.inquiry(true, 0xB2, 255))))).isEqualTo("00b2000400e40200");
        byte[] rc = data(exec(Cdbs.readCapacity16(32)));
        assertThat(HexFormat.of().formatHex(rc, 0, 16)).isEqualTo("00000000000007ff" + "00000200" + "0000c000");
        clearUa(A, 1);
        byte[] ro = data(exec(A, 1, Cdbs.readCapacity16(32), null));
        assertThat(ro[14]).isZero(); // read-only LUN: not thin
        assertThat(HexFormat.of().formatHex(data(exec(A, 1, Cdbs.inquiry(true, 0xB2, 255), null)))).isEqualTo("00b2000400000000");
    }

    // ------------------------------------------------------------------ capacity

    @Test
    void readCapacity10SaturatesAbove2TiBAndReadCapacity16HasTheTruth() {
        MemoryBlockDevice huge = new MemoryBlockDevice(3L << 31, false, false); // 3 TiB
        ScsiTarget t = ScsiTargets.of(TARGET, List.of(huge));
        t.execute(new ScsiRequest(A, 0, of(0, 0, 0, 0, 0, 0), null, 0));
        byte[] rc10 = data(t.execute(new ScsiRequest(A, 0, of(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), null, 8)));
        assertThat(HexFormat.of().formatHex(rc10)).isEqualTo("ffffffff00000200");
        byte[] rc16 = data(t.execute(new ScsiRequest(A, 0, Cdbs.readCapacity16(32), null, 32)));
        assertThat(Cdb.u64(rc16, 0)).isEqualTo((3L << 31) - 1);
        assertThat(data(exec(of(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0)))).containsExactly(0, 0, 7, (byte) 0xFF, 0, 0, 2, 0);
    }

    @Test
    void readCapacity16WithASmallAllocationLengthIsGoodAndTruncated() {
        for (int i = 0; i < 16; i++) {
            ScsiResponse r = exec(Cdbs.readCapacity16(i));
            assertGood(r);
            assertThat(data(r)).hasSize(i);
        }
    }

    // ------------------------------------------------------------------ read / write

    @Test
    void everyWriteFormReadsBackThroughEveryReadForm() {
        assertGood(exec(Cdbs.rw10(0x2A, 0, 10, 2), Cdbs.filled(1024, 0xA1)));
        assertGood(exec(Cdbs.rw16(0x8A, 0, 12, 1), Cdbs.filled(512, 0xB2)));
        assertGood(exec(Cdbs.rw12(0xAA, 0, 13, 1), Cdbs.filled(512, 0xC3)));
        assertGood(exec(of(0x0A, 0, 0, 14, 1, 0), Cdbs.filled(512, 0xD4)));
        byte[] r10 = data(exec(Cdbs.rw10(0x28, 0, 10, 5)));
        assertThat(r10[0]).isEqualTo((byte) 0xA1);
        assertThat(r10[1023]).isEqualTo((byte) 0xA1);
        assertThat(r10[1024]).isEqualTo((byte) 0xB2);
        assertThat(r10[1536]).isEqualTo((byte) 0xC3);
        assertThat(r10[2048]).isEqualTo((byte) 0xD4);
        assertThat(data(exec(Cdbs.rw16(0x88, 0, 10, 5)))).isEqualTo(r10);
        assertThat(data(exec(Cdbs.rw12(0xA8, 0, 10, 5)))).isEqualTo(r10);
        assertThat(data(exec(of(0x08, 0, 0, 10, 5, 0)))).isEqualTo(r10);
    }

    @Test
    void read6OfZeroBlocksMeans256() {
        assertThat(data(exec(of(0x08, 0, 0, 0, 0, 0)))).hasSize(256 * 512);
    }

    @Test
    void readGoesIntoTheBufferTheTransportProvides() {
        ByteBuffer pooled = ByteBuffer.allocateDirect(8192);
        pooled.position(100);
        ScsiResponse r = target.execute(new ScsiRequest(A, 0, Cdbs.rw10(0x28, 0, 0, 4), null, 2048), n -> {
            assertThat(n).isEqualTo(2048);
            return pooled;
        });
        assertGood(r);
        assertThat(r.dataIn()).isSameAs(pooled);
        assertThat(r.dataIn().position()).isEqualTo(100);
        assertThat(r.dataIn().remaining()).isEqualTo(2048);
    }

    @Test
    void lbaRangeIsCheckedIncludingZeroLengthAndWrapAround() {
        assertGood(exec(Cdbs.rw10(0x28, 0, 2048, 0)));
        assertGood(exec(Cdbs.rw10(0x28, 0, 2047, 1)));
        assertSense(exec(Cdbs.rw10(0x28, 0, 2049, 0)), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
        assertSense(exec(Cdbs.rw10(0x28, 0, 2047, 2)), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
        assertSense(exec(Cdbs.rw16(0x88, 0, -1L, 1)), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
        assertSense(exec(Cdbs.rw16(0x8A, 0, -1L, 1), Cdbs.filled(512, 1)), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
        assertSense(exec(of(0x08, 0x1F, 0xFF, 0xFF, 1, 0)), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
    }

    @Test
    void protectionFieldsAreInvalidWithoutProtectionInformation() {
        for (int p = 1; p < 8; p++) {
            byte[] s = assertSense(exec(Cdbs.rw10(0x28, p << 5, 0, 1)), Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB);
            assertFieldPointer(s, true, 1);
            assertSense(exec(Cdbs.rw10(0x2A, p << 5, 0, 1), Cdbs.filled(512, 0)), Sense.ILLEGAL_REQUEST,
                    Sense.INVALID_FIELD_IN_CDB);
            assertSense(exec(Cdbs.rw10(0x2F, p << 5, 0, 1)), Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB);
        }
    }

    @Test
    void fuaForcesTheWriteAndDpoIsAccepted() {
        assertGood(exec(Cdbs.rw10(0x2A, 0x08, 3, 1), Cdbs.filled(512, 7)));
        assertGood(exec(Cdbs.rw10(0x2A, 0x10, 4, 1), Cdbs.filled(512, 7)));
        assertGood(exec(Cdbs.rw16(0x8A, 0x18, 5, 1), Cdbs.filled(512, 7)));
        assertThat(disk.calls).containsExactly("write 3+1 fua", "write 4+1", "write 5+1 fua");
    }

    @Test
    void synchronizeCacheFlushesAndChecksItsRange() {
        assertGood(exec(of(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertGood(exec(Cdbs.rw16(0x91, 0x02, 100, 10)));
        assertThat(disk.calls).containsExactly("flush", "flush");
        assertSense(exec(Cdbs.rw10(0x35, 0, 2040, 10)), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
    }

    @Test
    void writesToAReadOnlyLunAreWriteProtected() {
        clearUa(A, 1);
        assertSense(exec(A, 1, Cdbs.rw10(0x2A, 0, 0, 1), Cdbs.filled(512, 1)), Sense.DATA_PROTECT, Sense.WRITE_PROTECTED);
        assertSense(exec(A, 1, Cdbs.rw10(0x41, 0, 0, 1), Cdbs.filled(512, 1)), Sense.DATA_PROTECT, Sense.WRITE_PROTECTED);
        assertSense(exec(A, 1, of(0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0), Cdbs.filled(24, 0)), Sense.DATA_PROTECT,
                Sense.WRITE_PROTECTED);
        byte[] ms = data(exec(A, 1, of(0x1A, 0, 0x3F, 0, 255, 0), null));
        assertThat(ms[2] & 0x80).as("WP").isEqualTo(0x80);
    }

    @Test
    void aWriteWithLessDataThanItsCdbWritesNothing() {
        // the transport delivered 200 bytes of the 1024 it (and the CDB) expected
        ScsiResponse r = target.execute(new ScsiRequest(A, 0, Cdbs.rw10(0x2A, 0, 0, 2), Cdbs.filled(200, 0x62), 1024));
        assertSense(r, Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_INFORMATION_UNIT);
        assertThat(disk.calls).isEmpty();
    }

    @Test
    void dataOutLengthFollowsTheCdb() {
        assertThat(target.dataOutLength(Cdbs.rw10(0x2A, 0, 0, 8))).isEqualTo(4096);
        assertThat(target.dataOutLength(Cdbs.rw16(0x8A, 0, 0, 256))).isEqualTo(131072);
        assertThat(target.dataOutLength(of(0x0A, 0, 0, 0, 0, 0))).isEqualTo(256 * 512);
        assertThat(target.dataOutLength(Cdbs.rw10(0x28, 0, 0, 8))).isZero();
        assertThat(target.dataOutLength(Cdbs.rw10(0x2F, 0x02, 0, 3))).isEqualTo(1536);
        assertThat(target.dataOutLength(Cdbs.rw10(0x2F, 0x06, 0, 3))).isEqualTo(512);
        assertThat(target.dataOutLength(Cdbs.rw10(0x2F, 0x00, 0, 3))).isZero();
        assertThat(target.dataOutLength(Cdbs.rw10(0x41, 0x08, 0, 1000))).isEqualTo(512);
        assertThat(target.dataOutLength(Cdbs.rw16(0x93, 0x01, 0, 1000))).isZero();
        assertThat(target.dataOutLength(of(0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0))).isEqualTo(24);
        assertThat(target.dataOutLength(of(0x55, 0x10, 0, 0, 0, 0, 0, 0, 28, 0))).isEqualTo(28);
        assertThat(target.dataOutLength(of(0x15, 0x10, 0, 0, 16, 0))).isEqualTo(16);
    }

    @Test
    void transfersAboveTheMaximumTransferLengthAreInvalid() {
        assertSense(exec(Cdbs.rw16(0x88, 0, 0, Inquiry.MAX_TRANSFER_BLOCKS + 1L)), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
        MemoryBlockDevice big = new MemoryBlockDevice(1L << 20, false, false);
        ScsiTarget t = ScsiTargets.of(TARGET, List.of(big));
        t.execute(new ScsiRequest(A, 0, of(0, 0, 0, 0, 0, 0), null, 0));
        ScsiResponse r = t.execute(new ScsiRequest(A, 0, Cdbs.rw16(0x88, 0, 0, Inquiry.MAX_TRANSFER_BLOCKS + 1L), null, 0));
        assertSense(r, Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB);
    }

    // ------------------------------------------------------------------ verify

    @Test
    void verifyComparesAndReportsTheOffsetOfTheFirstDifference() {
        assertGood(exec(Cdbs.rw10(0x2A, 0, 0, 2), Cdbs.filled(1024, 0x55)));
        assertGood(exec(Cdbs.rw10(0x2F, 0x02, 0, 2), Cdbs.filled(1024, 0x55)));
        ByteBuffer bad = Cdbs.filled(1024, 0x55);
        bad.put(700, (byte) 0);
        byte[] s = assertSense(exec(Cdbs.rw10(0x2F, 0x02, 0, 2), bad), Sense.MISCOMPARE, Sense.MISCOMPARE_DURING_VERIFY);
        assertThat(s[0] & 0x80).as("VALID").isEqualTo(0x80);
        assertThat(Cdb.u32(s, 3)).isEqualTo(700);
        assertGood(exec(Cdbs.rw16(0x8F, 0x06, 0, 2), Cdbs.filled(512, 0x55))); // BYTCHK 11b: one block for all
        assertGood(exec(Cdbs.rw10(0x2F, 0x00, 0, 2)));                        // BYTCHK 0: medium only
        assertSense(exec(Cdbs.rw10(0x2F, 0x00, 2047, 2)), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
    }

    @Test
    void writeAndVerifyWritesThroughToStableStorage() {
        assertGood(exec(Cdbs.rw10(0x2E, 0x02, 9, 1), Cdbs.filled(512, 9)));
        assertGood(exec(Cdbs.rw16(0x8E, 0, 10, 1), Cdbs.filled(512, 9)));
        assertThat(disk.calls).containsExactly("write 9+1 fua", "write 10+1 fua");
    }

    // ------------------------------------------------------------------ write same / unmap

    @Test
    void writeSameReplicatesTheBlock() {
        ByteBuffer pattern = Cdbs.filled(512, 0);
        pattern.put(0, (byte) 0xEE);
        assertGood(exec(Cdbs.rw10(0x41, 0, 100, 3), pattern));
        byte[] d = data(exec(Cdbs.rw10(0x28, 0, 100, 3)));
        assertThat(d[0]).isEqualTo((byte) 0xEE);
        assertThat(d[512]).isEqualTo((byte) 0xEE);
        assertThat(d[1024]).isEqualTo((byte) 0xEE);
        assertThat(d[1]).isZero();
    }

    @Test
    void writeSameWithUnmapDeallocatesWithoutWriting() {
        assertGood(exec(Cdbs.rw10(0x2A, 0, 0, 8), Cdbs.filled(4096, 0xFF)));
        disk.calls.clear();
        assertGood(exec(Cdbs.rw16(0x93, 0x08, 0, 8), Cdbs.filled(512, 0xFF)));
        assertThat(disk.calls).containsExactly("unmap 0+8");
        assertThat(data(exec(Cdbs.rw10(0x28, 0, 0, 8)))).containsOnly(0);
        disk.calls.clear();
        assertGood(exec(Cdbs.rw10(0x41, 0x08, 2040, 0), Cdbs.filled(512, 0))); // 0 blocks = to the end
        assertThat(disk.calls).containsExactly("unmap 2040+8");
    }

    @Test
    void writeSameChecksAnchorDataOutSizeAndRange() {
        byte[] s = assertSense(exec(Cdbs.rw16(0x93, 0x10, 0, 1), Cdbs.filled(512, 0)), Sense.ILLEGAL_REQUEST,
                Sense.INVALID_FIELD_IN_CDB);
        assertFieldPointer(s, true, 1);
        assertSense(target.execute(new ScsiRequest(A, 0, Cdbs.rw10(0x41, 0x08, 0, 1), Cdbs.filled(256, 0), 512)),
                Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB);
        // expecting less than the CDB's one block is an overflow no WRITE SAME can be cut to
        assertSense(exec(Cdbs.rw10(0x41, 0x08, 0, 1), Cdbs.filled(256, 0)), Sense.ILLEGAL_REQUEST,
                Sense.INVALID_FIELD_IN_INFORMATION_UNIT);
        assertSense(exec(Cdbs.rw10(0x41, 0x08, 0, 1), Cdbs.filled(1024, 0)), Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB);
        // the transport only fetched the one block the CDB implies, but the initiator declared two
        assertSense(target.execute(new ScsiRequest(A, 0, Cdbs.rw10(0x41, 0x08, 0, 1), Cdbs.filled(512, 0), 1024)),
                Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB);
        assertSense(exec(Cdbs.rw10(0x41, 0, 2048, 1), Cdbs.filled(512, 0)), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
        assertSense(exec(Cdbs.rw10(0x41, 0, 2047, 2), Cdbs.filled(512, 0)), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
        assertSense(exec(Cdbs.rw10(0x41, 0, 0x80000000L, 1), Cdbs.filled(512, 0)), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
    }

    static ByteBuffer unmapList(long[]... descriptors) {
        ByteBuffer b = ByteBuffer.allocate(8 + 16 * descriptors.length);
        b.putShort((short) (6 + 16 * descriptors.length)).putShort((short) (16 * descriptors.length)).putInt(0);
        for (long[] d : descriptors) {
            b.putLong(d[0]).putInt((int) d[1]).putInt(0);
        }
        return b.flip();
    }

    @Test
    void unmapValidatesEveryDescriptorBeforeDeallocatingAny() {
        ByteBuffer ok = unmapList(new long[] {0, 4}, new long[] {2048, 0}, new long[] {10, 2});
        assertGood(exec(of(0x42, 0, 0, 0, 0, 0, 0, 0, ok.remaining(), 0), ok));
        assertThat(disk.calls).containsExactly("unmap 0+4", "unmap 2048+0", "unmap 10+2");
        disk.calls.clear();
        ByteBuffer bad = unmapList(new long[] {0, 4}, new long[] {2047, 2});
        assertSense(exec(of(0x42, 0, 0, 0, 0, 0, 0, 0, bad.remaining(), 0), bad), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
        assertThat(disk.calls).isEmpty();
        assertGood(exec(of(0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertSense(exec(of(0x42, 0, 0, 0, 0, 0, 0, 0, 4, 0), Cdbs.filled(4, 0)), Sense.ILLEGAL_REQUEST,
                Sense.PARAMETER_LIST_LENGTH_ERROR);
    }

    // ------------------------------------------------------------------ mode pages

    @Test
    void modeSense6AllPagesHasHeaderBlockDescriptorAndThreePages() {
        byte[] d = data(exec(of(0x1A, 0, 0x3F, 0, 255, 0)));
        assertThat(d).hasSize(4 + 8 + 12 + 20 + 12);
        assertThat(HexFormat.of().formatHex(d, 0, 12)).isEqualTo("37001008" + "00000800" + "00000200");
        assertThat(d[12]).isEqualTo((byte) 0x01);
        assertThat(d[24]).isEqualTo((byte) 0x08);
        assertThat(d[26] & 0x04).as("WCE").isEqualTo(0x04);
        assertThat(d[44]).isEqualTo((byte) 0x0A);
        byte[] dbd = data(exec(of(0x1A, 0x08, 0x0A, 0, 255, 0)));
        assertThat(HexFormat.of().formatHex(dbd)).isEqualTo("0f001000" + "0a0a02100000000ffff0000".replace("0000000ffff", "00000000ffff"));
        assertThat(data(exec(of(0x1A, 0, 0x3F, 0, 4, 0)))).hasSize(4);
    }

    @Test
    void modeSense10WithLongLbaDescriptor() {
        byte[] d = data(exec(of(0x5A, 0x10, 0x08, 0, 0, 0, 0, 0, 255, 0)));
        assertThat(HexFormat.of().formatHex(d, 0, 8)).isEqualTo("002a0010" + "01000010");
        assertThat(Cdb.u64(d, 8)).isEqualTo(2048);
        assertThat(Cdb.u32(d, 20)).isEqualTo(512);
        assertThat(d[24]).isEqualTo((byte) 0x08);
    }

    @Test
    void modeSenseChangeableSavedAndUnknownPages() {
        byte[] ch = data(exec(of(0x1A, 0x08, 0x48, 0, 255, 0)));
        assertThat(ch[6]).isEqualTo((byte) 0x04); // only WCE changeable
        assertSense(exec(of(0x1A, 0, 0xC8, 0, 255, 0)), Sense.ILLEGAL_REQUEST, Sense.SAVING_PARAMETERS_NOT_SUPPORTED);
        byte[] s = assertSense(exec(of(0x1A, 0, 0x19, 0, 255, 0)), Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB);
        assertFieldPointer(s, true, 2);
        assertSense(exec(of(0x1A, 0, 0x08, 0x01, 255, 0)), Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void modeSelectAcceptsUnchangedValuesAndRejectsChangesToUnchangeableOnes() {
        byte[] current = data(exec(of(0x1A, 0x08, 0x3F, 0, 255, 0)));
        current[0] = 0; // MODE DATA LENGTH is reserved in MODE SELECT
        assertGood(exec(of(0x15, 0x10, 0, 0, current.length, 0), ByteBuffer.wrap(current)));
        byte[] control = data(exec(of(0x1A, 0x08, 0x0A, 0, 255, 0)));
        control[0] = 0;
        control[4 + 2] |= 0x04; // D_SENSE: not changeable
        byte[] s = assertSense(exec(of(0x15, 0x10, 0, 0, control.length, 0), ByteBuffer.wrap(control)),
                Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_PARAMETER_LIST);
        assertFieldPointer(s, false, 6);
        assertSense(exec(of(0x15, 0x11, 0, 0, current.length, 0), ByteBuffer.wrap(current)), Sense.ILLEGAL_REQUEST,
                Sense.INVALID_FIELD_IN_CDB);
        assertSense(exec(of(0x15, 0x10, 0, 0, 2, 0), Cdbs.filled(2, 0)), Sense.ILLEGAL_REQUEST,
                Sense.PARAMETER_LIST_LENGTH_ERROR);
    }

    @Test
    void turningOffTheWriteCacheMakesWritesDurableAndTellsOtherNexuses() {
        clearUa(B, 0);
        byte[] caching = data(exec(of(0x1A, 0x08, 0x08, 0, 255, 0)));
        caching[0] = 0;
        caching[4 + 2] &= ~0x04;
        assertGood(exec(of(0x15, 0x10, 0, 0, caching.length, 0), ByteBuffer.wrap(caching)));
        assertThat(data(exec(of(0x1A, 0x08, 0x08, 0, 255, 0)))[6] & 0x04).isZero();
        assertSense(exec(B, 0, of(0, 0, 0, 0, 0, 0), null), Sense.UNIT_ATTENTION, Sense.MODE_PARAMETERS_CHANGED);
        assertGood(exec(of(0, 0, 0, 0, 0, 0)));
        assertGood(exec(Cdbs.rw10(0x2A, 0, 1, 1), Cdbs.filled(512, 1)));
        assertThat(disk.calls).containsExactly("write 1+1 fua");
        target.lunReset(0);
        clearUa(B, 0);
        assertThat(data(exec(B, 0, of(0x1A, 0x08, 0x08, 0, 255, 0), null))[6] & 0x04).isEqualTo(0x04);
    }

    // ------------------------------------------------------------------ misc

    @Test
    void invalidOpcodeHasItsOwnSense() {
        byte[] s = assertSense(exec(of(0xC1, 0, 0, 0, 0, 0)), Sense.ILLEGAL_REQUEST, Sense.INVALID_COMMAND_OPERATION_CODE);
        assertFieldPointer(s, true, 0);
        assertSense(exec(Cdbs.rw16(0x9E, 0x1F, 0, 0)), Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void startStopAndPreventAllowAreAccepted() {
        assertGood(exec(of(0x1B, 0, 0, 0, 0x01, 0)));
        assertGood(exec(of(0x1E, 0, 0, 0, 0x01, 0)));
        assertGood(exec(of(0x1E, 0, 0, 0, 0x00, 0)));
        assertGood(exec(of(0, 0, 0, 0, 0, 0)));
    }

    @Test
    void getLbaStatusDescribesTheExtentAtTheLba() {
        byte[] c = new byte[16];
        c[0] = (byte) 0x9E;
        c[1] = 0x12;
        Cdb.put64(c, 2, 5);
        Cdb.put32(c, 10, 24);
        byte[] d = data(exec(c));
        assertThat(Cdb.u32(d, 0)).isEqualTo(20);
        assertThat(Cdb.u64(d, 8)).isEqualTo(5);
        Cdb.put64(c, 2, 2048);
        assertSense(exec(c), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
    }

    @Test
    void deviceFailuresBecomeSenseDataNotExceptions() {
        BlockDevice broken = new MemoryBlockDevice(64, false, true) {
            @Override
            public synchronized void read(long lba, int count, ByteBuffer dst) {
                throw new IllegalStateException("overlay bug");
            }

            @Override
            public synchronized void flush() {
                throw new java.io.UncheckedIOException(new java.io.IOException("disk gone"));
            }
        };
        ScsiTarget t = ScsiTargets.of(TARGET, List.of(broken));
        t.execute(new ScsiRequest(A, 0, of(0, 0, 0, 0, 0, 0), null, 0));
        assertSense(t.execute(new ScsiRequest(A, 0, Cdbs.rw10(0x28, 0, 0, 1), null, 512)), Sense.HARDWARE_ERROR,
                Sense.INTERNAL_TARGET_FAILURE);
        assertSense(t.execute(new ScsiRequest(A, 0, Cdbs.rw10(0x35, 0, 0, 0), null, 0)), Sense.HARDWARE_ERROR,
                Sense.INTERNAL_TARGET_FAILURE);
    }

    @Test
    void orwriteOrsTheDataIntoTheBlocksAndPreFetchChecksTheRange() {
        assertGood(exec(Cdbs.rw10(0x2A, 0, 4, 1), Cdbs.filled(512, 0x0F)));
        assertGood(exec(Cdbs.rw16(0x8B, 0x08, 4, 1), Cdbs.filled(512, 0xA0))); // ORWRITE(16) with FUA
        byte[] back = data(exec(Cdbs.rw10(0x28, 0, 4, 1)));
        assertThat(back).containsOnly((byte) 0xAF);
        assertThat(disk.calls).anyMatch(c -> c.contains("fua"));
        assertFieldPointer(assertSense(exec(Cdbs.rw16(0x8B, 0x20, 4, 1), Cdbs.filled(512, 1)), Sense.ILLEGAL_REQUEST,
                Sense.INVALID_FIELD_IN_CDB), true, 1); // ORPROTECT
        assertSense(exec(Cdbs.rw16(0x8B, 0, disk.blocks, 1), Cdbs.filled(512, 1)), Sense.ILLEGAL_REQUEST,
                Sense.LBA_OUT_OF_RANGE);
        assertGood(exec(Cdbs.rw10(0x34, 0x02, 0, 256)));
        assertGood(exec(Cdbs.rw16(0x90, 0, disk.blocks - 1, 1)));
        assertSense(exec(Cdbs.rw10(0x34, 0, disk.blocks, 1)), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
        assertSense(exec(Cdbs.rw16(0x90, 0, -1L, 0)), Sense.ILLEGAL_REQUEST, Sense.LBA_OUT_OF_RANGE);
    }

    static byte[] compareAndWrite(int flags, long lba, int blocks) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x89;
        c[1] = (byte) flags;
        Cdb.put64(c, 2, lba);
        c[13] = (byte) blocks;
        return c;
    }

    @Test
    void compareAndWriteWritesOnlyWhenTheBlocksMatch() {
        assertThat(target.dataOutLength(compareAndWrite(0, 8, 2))).isEqualTo(2 * 2 * 512);
        assertGood(exec(Cdbs.rw10(0x2A, 0, 8, 2), Cdbs.filled(1024, 'A')));
        ByteBuffer both = ByteBuffer.allocate(2048);
        both.put(Cdbs.filled(1024, 'A')).put(Cdbs.filled(1024, 'B')).flip();
        assertGood(exec(compareAndWrite(0x08, 8, 2), both));
        assertThat(data(exec(Cdbs.rw10(0x28, 0, 8, 2)))).containsOnly((byte) 'B');
        // the blocks hold B now: comparing with A again miscompares at byte 0 and writes nothing
        ByteBuffer stale = ByteBuffer.allocate(2048);
        stale.put(Cdbs.filled(1024, 'A')).put(Cdbs.filled(1024, 'C')).flip();
        byte[] sense = assertSense(exec(compareAndWrite(0, 8, 2), stale), Sense.MISCOMPARE, Sense.MISCOMPARE_DURING_VERIFY);
        assertThat(Cdb.u32(sense, 3)).as("INFORMATION: offset of the first difference").isZero();
        assertThat(data(exec(Cdbs.rw10(0x28, 0, 8, 2)))).containsOnly((byte) 'B');
        assertSense(exec(compareAndWrite(0, disk.blocks - 1, 2), ByteBuffer.allocate(2048)), Sense.ILLEGAL_REQUEST,
                Sense.LBA_OUT_OF_RANGE);
        assertGood(target.execute(new ScsiRequest(A, 0, compareAndWrite(0, 0, 0), null, 0)));
    }
}
