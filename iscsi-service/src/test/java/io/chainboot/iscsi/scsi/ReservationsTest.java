package io.chainboot.iscsi.scsi;

import static io.chainboot.iscsi.scsi.DiskTargetTest.A;
import static io.chainboot.iscsi.scsi.DiskTargetTest.B;
import static io.chainboot.iscsi.scsi.DiskTargetTest.TARGET;
import static io.chainboot.iscsi.scsi.DiskTargetTest.data;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persistent reservations (SPC-4 §5.12) and RESERVE(6)/RELEASE(6) (SPC-2 §5.5), through the target:
 * PERSISTENT RESERVE IN/OUT CDBs and parameter lists in, status and data out; what two I_T nexuses may
 * do under each reservation type; preempt, clear, the generation; the state surviving a restart.
 */
class ReservationsTest {
    static final Nexus C = new Nexus("iqn.2026-01.io.chainboot:init-c", "400001370002", TARGET);

    @TempDir
    Path dir;

    ScsiTarget target = ScsiTargets.of(TARGET, List.of(MemoryBlockDevice.small()));

    ScsiResponse exec(Nexus n, byte[] cdb, ByteBuffer out) {
        ScsiResponse r = target.execute(new ScsiRequest(n, 0, cdb, out, out == null ? 1 << 20 : out.remaining()));
        if (r.status() == ScsiResponse.CHECK_CONDITION && Sense.ascAscq(r.sense()) == Sense.POWER_ON_RESET) {
            return exec(n, cdb, out); // a nexus's first command takes the POWER ON unit attention
        }
        return r;
    }

    ScsiResponse prout(Nexus n, int sa, int type, long key, long saKey) {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5F;
        cdb[1] = (byte) sa;
        cdb[2] = (byte) type;
        Cdb.put32(cdb, 5, 24);
        byte[] p = new byte[24];
        Cdb.put64(p, 0, key);
        Cdb.put64(p, 8, saKey);
        return exec(n, cdb, ByteBuffer.wrap(p));
    }

    byte[] prin(Nexus n, int sa, int alloc) {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5E;
        cdb[1] = (byte) sa;
        Cdb.put16(cdb, 7, alloc);
        ScsiResponse r = exec(n, cdb, null);
        DiskTargetTest.assertGood(r);
        return data(r);
    }

    List<Long> keys(Nexus n) {
        byte[] d = prin(n, 0, 4096);
        List<Long> k = new ArrayList<>();
        for (int o = 8; o < d.length; o += 8) {
            k.add(Cdb.u64(d, o));
        }
        return k;
    }

    long generation() {
        return Cdb.u32(prin(C, 0, 8), 0); // C never registers, so it has no unit attention pending
    }

    int status(ScsiResponse r) {
        return r.status();
    }

    ScsiResponse read(Nexus n) {
        return exec(n, Cdbs.rw10(0x28, 0, 1, 1), null);
    }

    ScsiResponse write(Nexus n) {
        return exec(n, Cdbs.rw10(0x2A, 0, 1, 1), ByteBuffer.allocate(512));
    }

    @Test
    void registerReadKeysAndUnregister() {
        assertThat(status(prout(A, 0, 0, 0, 0xAAL))).isEqualTo(ScsiResponse.GOOD);
        assertThat(keys(B)).containsExactly(0xAAL);
        assertThat(generation()).isEqualTo(1);
        // registering again without the right key: RESERVATION CONFLICT; REGISTER AND IGNORE replaces it
        assertThat(status(prout(A, 0, 0, 0, 0xABL))).isEqualTo(ScsiResponse.RESERVATION_CONFLICT);
        assertThat(status(prout(A, 6, 0, 0, 0xABL))).isEqualTo(ScsiResponse.GOOD);
        assertThat(keys(A)).containsExactly(0xABL);
        // READ KEYS truncated to 8 bytes keeps the ADDITIONAL LENGTH of the whole list
        assertThat(Cdb.u32(prin(A, 0, 8), 4)).isEqualTo(8);
        assertThat(status(prout(A, 0, 0, 0xABL, 0))).isEqualTo(ScsiResponse.GOOD);
        assertThat(keys(A)).isEmpty();
        assertThat(generation()).isEqualTo(3);
    }

    @Test
    void accessUnderEachReservationType() {
        // type -> {registered B reads, registered B writes, unregistered C reads, unregistered C writes}
        int[][] matrix = {{1, 1, 0, 1, 0}, {3, 0, 0, 0, 0}, {5, 1, 1, 1, 0}, {6, 1, 1, 0, 0}, {7, 1, 1, 1, 0},
            {8, 1, 1, 0, 0}};
        for (int[] row : matrix) {
            int type = row[0];
            assertThat(status(prout(A, 0, 0, 0, 1))).isEqualTo(ScsiResponse.GOOD);
            assertThat(status(prout(B, 0, 0, 0, 2))).isEqualTo(ScsiResponse.GOOD);
            assertThat(status(prout(A, 1, type, 1, 0))).as("reserve type %d", type).isEqualTo(ScsiResponse.GOOD);
            byte[] rr = prin(C, 1, 64);
            assertThat(Cdb.u32(rr, 4)).isEqualTo(16);
            assertThat(Cdb.u64(rr, 8)).as("key of type %d", type).isEqualTo(type >= 7 ? 0 : 1);
            assertThat(rr[21]).isEqualTo((byte) type);
            assertThat(status(read(A))).isEqualTo(ScsiResponse.GOOD);
            assertThat(status(write(A))).isEqualTo(ScsiResponse.GOOD);
            assertThat(status(read(B)) == ScsiResponse.GOOD).as("type %d B reads", type).isEqualTo(row[1] == 1);
            assertThat(status(write(B)) == ScsiResponse.GOOD).as("type %d B writes", type).isEqualTo(row[2] == 1);
            assertThat(status(read(C)) == ScsiResponse.GOOD).as("type %d C reads", type).isEqualTo(row[3] == 1);
            assertThat(status(write(C)) == ScsiResponse.GOOD).as("type %d C writes", type).isEqualTo(row[4] == 1);
            assertThat(status(write(C))).isIn(ScsiResponse.GOOD, ScsiResponse.RESERVATION_CONFLICT);
            // INQUIRY, REPORT LUNS and PRIN are never in conflict
            DiskTargetTest.assertGood(exec(C, Cdbs.inquiry(false, 0, 96), null));
            // releasing with another type: INVALID RELEASE OF PERSISTENT RESERVATION
            DiskTargetTest.assertSense(prout(A, 2, type == 1 ? 3 : 1, 1, 0), Sense.ILLEGAL_REQUEST,
                    Sense.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
            assertThat(status(prout(A, 3, 0, 1, 0))).isEqualTo(ScsiResponse.GOOD); // CLEAR
            assertThat(prin(C, 1, 64)).hasSize(8);
            // B was told its registration went: RESERVATIONS PREEMPTED
            DiskTargetTest.assertSense(exec(B, Cdbs.of(0, 0, 0, 0, 0, 0), null), Sense.UNIT_ATTENTION,
                    Sense.RESERVATIONS_PREEMPTED);
        }
    }

    @Test
    void allRegistrantsReservationOutlivesItsCreatorButRegistrantsOnlyDoesNot() {
        prout(A, 0, 0, 0, 1);
        prout(B, 0, 0, 0, 2);
        assertThat(status(prout(A, 1, 8, 1, 0))).isEqualTo(ScsiResponse.GOOD);
        prout(A, 0, 0, 1, 0); // A unregisters
        assertThat(prin(C, 1, 64)[21]).isEqualTo((byte) 8);
        assertThat(status(prout(B, 2, 8, 2, 0))).isEqualTo(ScsiResponse.GOOD);
        assertThat(prin(C, 1, 64)).hasSize(8);
        prout(A, 0, 0, 0, 1);
        assertThat(status(prout(A, 1, 6, 1, 0))).isEqualTo(ScsiResponse.GOOD);
        prout(A, 0, 0, 1, 0);
        assertThat(prin(C, 1, 64)).as("holder gone, reservation gone").hasSize(8);
        // B, still registered, is told the reservation was released
        DiskTargetTest.assertSense(exec(B, Cdbs.of(0, 0, 0, 0, 0, 0), null), Sense.UNIT_ATTENTION,
                Sense.RESERVATIONS_RELEASED);
    }

    @Test
    void preemptRemovesTheOtherRegistrationAndTakesTheReservation() {
        prout(A, 0, 0, 0, 1);
        prout(B, 0, 0, 0, 2);
        assertThat(status(prout(A, 1, 3, 1, 0))).isEqualTo(ScsiResponse.GOOD);
        long gen = generation();
        assertThat(status(prout(B, 4, 1, 2, 1))).isEqualTo(ScsiResponse.GOOD); // PREEMPT A's key, type WE
        assertThat(keys(C)).containsExactly(2L);
        assertThat(generation()).isEqualTo(gen + 1);
        byte[] rr = prin(C, 1, 64);
        assertThat(Cdb.u64(rr, 8)).isEqualTo(2);
        assertThat(rr[21]).isEqualTo((byte) 1);
        DiskTargetTest.assertSense(exec(A, Cdbs.of(0, 0, 0, 0, 0, 0), null), Sense.UNIT_ATTENTION,
                Sense.REGISTRATIONS_PREEMPTED);
        // preempting a key nobody holds: RESERVATION CONFLICT; with a wrong own key too
        assertThat(status(prout(B, 4, 1, 2, 99))).isEqualTo(ScsiResponse.RESERVATION_CONFLICT);
        assertThat(status(prout(C, 4, 1, 5, 2))).isEqualTo(ScsiResponse.RESERVATION_CONFLICT);
    }

    @Test
    void badParameterListsAndFieldsChangeNothing() {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5F;
        Cdb.put32(cdb, 5, 16);
        DiskTargetTest.assertSense(exec(A, cdb, ByteBuffer.allocate(16)), Sense.ILLEGAL_REQUEST,
                Sense.PARAMETER_LIST_LENGTH_ERROR);
        prout(A, 0, 0, 0, 1);
        DiskTargetTest.assertSense(prout(A, 1, 2, 1, 0), Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB); // type 2
        DiskTargetTest.assertSense(prout(A, 5, 1, 1, 0), Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB); // PREEMPT AND ABORT
        byte[] prin = new byte[10];
        prin[0] = 0x5E;
        prin[1] = 4;
        DiskTargetTest.assertSense(exec(A, prin, null), Sense.ILLEGAL_REQUEST, Sense.INVALID_FIELD_IN_CDB);
        assertThat(keys(A)).containsExactly(1L);
        assertThat(generation()).isEqualTo(1);
    }

    @Test
    void reserve6IsExclusiveAndEndsWithTheNexusOrAReset() {
        byte[] reserve = Cdbs.of(0x16, 0, 0, 0, 0, 0);
        byte[] release = Cdbs.of(0x17, 0, 0, 0, 0, 0);
        DiskTargetTest.assertGood(exec(A, reserve, null));
        DiskTargetTest.assertGood(exec(A, reserve, null));
        assertThat(status(exec(B, reserve, null))).isEqualTo(ScsiResponse.RESERVATION_CONFLICT);
        assertThat(status(exec(B, Cdbs.of(0x1A, 0, 0x3F, 0, 255, 0), null))).isEqualTo(ScsiResponse.RESERVATION_CONFLICT);
        assertThat(status(exec(B, Cdbs.of(0, 0, 0, 0, 0, 0), null))).isEqualTo(ScsiResponse.RESERVATION_CONFLICT);
        DiskTargetTest.assertGood(exec(B, Cdbs.inquiry(false, 0, 96), null));
        DiskTargetTest.assertGood(exec(B, release, null)); // no effect
        assertThat(status(exec(B, reserve, null))).isEqualTo(ScsiResponse.RESERVATION_CONFLICT);
        target.nexusLost(A);
        DiskTargetTest.assertGood(exec(B, reserve, null));
        target.lunReset(0);
        exec(A, Cdbs.of(0, 0, 0, 0, 0, 0), null); // the reset's unit attention
        DiskTargetTest.assertGood(exec(A, reserve, null));
        DiskTargetTest.assertGood(exec(A, release, null));
        // under a persistent reservation RESERVE(6) conflicts for all but its holder
        prout(A, 0, 0, 0, 1);
        prout(A, 1, 1, 1, 0);
        assertThat(status(exec(B, reserve, null))).isEqualTo(ScsiResponse.RESERVATION_CONFLICT);
    }

    @Test
    void persistentReservationsSurviveARestartAndANexusLossAndAResetButNotCorruption() throws Exception {
        Path img = FileBlockDevice.createSparse(dir.resolve("lun0.img"), 1 << 20);
        try (FileBlockDevice dev = FileBlockDevice.open(img, false)) {
            target = ScsiTargets.of(TARGET, List.of(dev));
            prout(A, 0, 0, 0, 0x1122334455667788L);
            prout(B, 0, 0, 0, 2);
            assertThat(status(prout(A, 1, 5, 0x1122334455667788L, 0))).isEqualTo(ScsiResponse.GOOD);
            target.nexusLost(A);
            target.targetReset();
        }
        assertThat(dir.resolve("lun0.img.pr")).exists();
        try (FileBlockDevice dev = FileBlockDevice.open(img, false)) {
            target = ScsiTargets.of(TARGET, List.of(dev)); // "restart": a new target on the same image
            assertThat(keys(C)).containsExactly(0x1122334455667788L, 2L);
            byte[] rr = prin(C, 1, 64);
            assertThat(Cdb.u64(rr, 8)).isEqualTo(0x1122334455667788L);
            assertThat(rr[21]).isEqualTo((byte) 5);
            assertThat(generation()).isEqualTo(2);
            assertThat(status(write(C))).isEqualTo(ScsiResponse.RESERVATION_CONFLICT);
            assertThat(status(write(A))).isEqualTo(ScsiResponse.GOOD);
            // READ FULL STATUS names each registration's iSCSI initiator port
            byte[] full = prin(C, 3, 4096);
            assertThat(new String(full, java.nio.charset.StandardCharsets.US_ASCII))
                    .contains(A.initiatorName() + ",i,0x" + A.isid()).contains(B.initiatorName() + ",i,0x" + B.isid());
        }
        Files.writeString(dir.resolve("lun0.img.pr"), "reservation 2\n");
        try (FileBlockDevice dev = FileBlockDevice.open(img, false)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ScsiTargets.of(TARGET, List.of(dev)))
                    .isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining("lun0.img.pr");
        }
    }

    @Test
    void aStateThatCannotBeSavedIsNotChanged() throws Exception {
        MemoryBlockDevice dev = new MemoryBlockDevice(2048, false, true) {
            @Override
            public Optional<Path> reservationsFile() {
                return Optional.of(dir.resolve("no-such-dir").resolve("x.pr"));
            }
        };
        target = ScsiTargets.of(TARGET, List.of(dev));
        DiskTargetTest.assertSense(prout(A, 0, 0, 0, 1), Sense.ILLEGAL_REQUEST, Sense.INSUFFICIENT_REGISTRATION_RESOURCES);
        assertThat(keys(A)).isEmpty();
        assertThat(generation()).isZero();
    }
}
