package io.chainboot.iscsi.session;

import io.chainboot.common.testing.FixedMachines;
import io.chainboot.iscsi.login.Negotiator;
import io.chainboot.iscsi.login.TextKeys;
import io.chainboot.iscsi.pdu.Opcode;
import io.chainboot.iscsi.pdu.Pdu;
import io.chainboot.iscsi.pdu.PduCodec;
import io.chainboot.iscsi.scsi.FileBlockDevice;
import io.chainboot.iscsi.targets.TargetRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The full feature phase against an in-memory transport, commands executed inline. */
class ConnectionTest {
    static final String IQN = "iqn.2026-01.io.chainboot:unit";

    @TempDir
    Path dir;
    TargetRegistry registry;
    Wire wire;
    Connection conn;
    int cmdSn = 100;

    /** Collects what the target writes, as PDUs (BHS + data). */
    static final class Wire implements Connection.Transport {
        final List<byte[]> bhs = new ArrayList<>();
        final List<byte[]> data = new ArrayList<>();
        boolean closed;

        @Override
        public void write(ByteBuffer[] buffers, int count) {
            int total = 0;
            for (int i = 0; i < count; i++) {
                total += buffers[i].remaining();
            }
            ByteBuffer all = ByteBuffer.allocate(total);
            for (int i = 0; i < count; i++) {
                all.put(buffers[i]);
            }
            all.flip();
            while (all.hasRemaining()) {
                byte[] h = new byte[48];
                all.get(h);
                int len = PduCodec.dataSegmentLength(h);
                byte[] d = new byte[len];
                all.get(d);
                all.position(all.position() + PduCodec.padded(len) - len);
                bhs.add(h);
                data.add(d);
            }
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public InetSocketAddress remote() {
            return new InetSocketAddress("127.0.0.1", 40000);
        }

        @Override
        public InetSocketAddress local() {
            return new InetSocketAddress("127.0.0.1", 3260);
        }

        int opcode(int i) {
            return bhs.get(i)[0] & 0x3f;
        }

        int int32(int i, int off) {
            return ByteBuffer.wrap(bhs.get(i)).getInt(off);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        Path img = FileBlockDevice.createSparse(dir.resolve("d.img"), 1 << 20);
        registry = new TargetRegistry("iqn.2026-01.io.chainboot", Optional.empty(), new FixedMachines(),
                TargetRegistry.rawDisks(dir), List.of(new TargetRegistry.StaticTarget(IQN, img, List.of(),
                Optional.empty(), false)));
        wire = new Wire();
        conn = new Connection(wire, registry, new SessionRegistry(), SessionListener.NONE, Runnable::run,
                new Connection.Settings(new Negotiator.Limits(262144, 262144, 65536, 2, false, true, false), 16,
                        1 << 24, null, 3260));
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("InitiatorName", "iqn.x:unit");
        keys.put("TargetName", IQN);
        keys.put("InitialR2T", "Yes");
        keys.put("MaxRecvDataSegmentLength", "1024");
        Pdu login = new Pdu(Opcode.LOGIN_REQUEST, new byte[48], null, ByteBuffer.wrap(TextKeys.encode(keys)));
        login.byteAt(0, 0x43).flags(0x87).int32(24, cmdSn).int32(28, 7);
        conn.onPdu(login);
        assertThat(wire.opcode(0)).isEqualTo(0x23);
        assertThat(wire.int32(0, 24)).isEqualTo(7); // StatSN starts at the initiator's ExpStatSN
        assertThat(conn.fullFeature()).isTrue();
        // the first command of a new nexus reports the power-on unit attention (SAM-5 §5.14)
        conn.onPdu(command(1, new byte[6], 0, false, null, cmdSn++));
        assertThat(wire.opcode(1)).isEqualTo(0x21);
        wire.bhs.remove(1);
        wire.data.remove(1);
    }

    @AfterEach
    void tearDown() {
        conn.end("test over");
        registry.close();
    }

    private Pdu command(int itt, byte[] cdb, int edtl, boolean write, byte[] immediate, int sn) {
        Pdu p = new Pdu(Opcode.SCSI_COMMAND, new byte[48], null, immediate == null ? null : ByteBuffer.wrap(immediate));
        p.byteAt(0, 0x01).flags(0x80 | (write ? 0x20 : 0x40) | 1).itt(itt).int32(20, edtl).int32(24, sn);
        System.arraycopy(cdb, 0, p.bhs(), 32, cdb.length);
        return p;
    }

    private static byte[] rw10(int op, int lba, int blocks) {
        return new byte[] {(byte) op, 0, 0, 0, (byte) (lba >> 8), (byte) lba, 0, 0, (byte) blocks, 0};
    }

    @Test
    void nopOutIsEchoedAndAdvancesStatSn() {
        Pdu nop = new Pdu(Opcode.NOP_OUT, new byte[48], null, ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
        nop.byteAt(0, 0x40).flags(0x80).itt(5).int32(20, Pdu.RESERVED_TAG).int32(24, cmdSn);
        conn.onPdu(nop);
        assertThat(wire.opcode(1)).isEqualTo(0x20);
        assertThat(wire.int32(1, 16)).isEqualTo(5);
        assertThat(new String(wire.data.get(1), StandardCharsets.US_ASCII)).isEqualTo("ping");
        assertThat(wire.int32(1, 24)).isEqualTo(9);
        assertThat(wire.int32(1, 28)).isEqualTo(cmdSn); // immediate: ExpCmdSN unchanged
    }

    @Test
    void commandsRunInCmdSnOrderAndOutOfWindowOnesAreDropped() {
        byte[] tur = new byte[6];
        conn.onPdu(command(2, tur, 0, false, null, cmdSn + 1)); // ahead of a gap: waits
        assertThat(wire.bhs).hasSize(1);
        conn.onPdu(command(9, tur, 0, false, null, cmdSn + 500)); // beyond MaxCmdSN: dropped
        conn.onPdu(command(1, tur, 0, false, null, cmdSn)); // fills the gap: both run
        assertThat(wire.bhs).hasSize(3);
        assertThat(wire.int32(1, 16)).isEqualTo(1);
        assertThat(wire.int32(2, 16)).isEqualTo(2);
        assertThat(wire.int32(2, 28)).isEqualTo(cmdSn + 2); // ExpCmdSN
        assertThat(wire.int32(2, 32)).isEqualTo(cmdSn + 2 + 15); // MaxCmdSN = ExpCmdSN + window - 1
        conn.onPdu(command(3, tur, 0, false, null, cmdSn)); // already seen: dropped
        assertThat(wire.bhs).hasSize(3);
    }

    @Test
    void writeIsSolicitedByR2tThenReadsBackAsDataInWithStatus() {
        byte[] payload = new byte[4096];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7);
        }
        conn.onPdu(command(0x10, rw10(0x2a, 8, 8), 4096, true, null, cmdSn));
        assertThat(wire.opcode(1)).isEqualTo(0x31); // R2T
        assertThat(wire.int32(1, 40)).isZero(); // buffer offset
        assertThat(wire.int32(1, 44)).isEqualTo(4096); // desired length (<= MaxBurstLength)
        int ttt = wire.int32(1, 20);
        for (int sn = 0; sn < 4; sn++) { // four Data-Out PDUs of 1 KiB
            Pdu d = new Pdu(Opcode.DATA_OUT, new byte[48], null, ByteBuffer.wrap(payload, sn * 1024, 1024));
            d.byteAt(0, 0x05).flags(sn == 3 ? 0x80 : 0).itt(0x10).int32(20, ttt).int32(36, sn).int32(40, sn * 1024);
            conn.onPdu(d);
        }
        assertThat(wire.opcode(2)).isEqualTo(0x21);
        assertThat(wire.bhs.get(2)[3]).isZero(); // GOOD

        conn.onPdu(command(0x11, rw10(0x28, 8, 8), 4096, false, null, cmdSn + 1));
        // MaxRecvDataSegmentLength 1024 -> four Data-In, status in the last (phase collapse)
        assertThat(wire.bhs).hasSize(7);
        ByteBuffer back = ByteBuffer.allocate(4096);
        for (int i = 3; i < 7; i++) {
            assertThat(wire.opcode(i)).isEqualTo(0x25);
            assertThat(wire.int32(i, 36)).isEqualTo(i - 3); // DataSN
            back.put(wire.data.get(i));
        }
        assertThat(wire.bhs.get(6)[1] & 0x81).isEqualTo(0x81); // F + S
        assertThat(wire.bhs.get(5)[1] & 0x01).isZero();
        assertThat(back.array()).isEqualTo(payload);
    }

    @Test
    void readUnderflowReportsTheResidual() {
        conn.onPdu(command(0x12, rw10(0x28, 0, 1), 2048, false, null, cmdSn));
        byte[] last = wire.bhs.get(wire.bhs.size() - 1);
        assertThat(last[1] & 0x03).isEqualTo(0x03); // U + S
        assertThat(ByteBuffer.wrap(last).getInt(44)).isEqualTo(2048 - 512);
    }

    @Test
    void aWriteQueuedBehindACmdSnGapIsSolicitedOnlyWhenItsTurnComes() {
        conn.onPdu(command(0x40, rw10(0x2a, 0, 2), 1024, true, null, cmdSn + 1)); // ahead of a gap
        assertThat(wire.bhs).as("no R2T for a command that is not in order yet").hasSize(1);
        conn.onPdu(command(0x41, new byte[6], 0, false, null, cmdSn)); // fills the gap
        assertThat(wire.bhs).hasSize(3);
        assertThat(wire.opcode(1)).isEqualTo(0x21); // TEST UNIT READY answered first
        assertThat(wire.int32(1, 16)).isEqualTo(0x41);
        assertThat(wire.opcode(2)).isEqualTo(0x31); // then the write's R2T
        assertThat(wire.int32(2, 16)).isEqualTo(0x40);
        assertThat(wire.int32(2, 36)).isZero(); // R2TSN
        assertThat(wire.int32(2, 44)).isEqualTo(1024);
        Pdu d = new Pdu(Opcode.DATA_OUT, new byte[48], null, ByteBuffer.wrap(new byte[1024]));
        d.byteAt(0, 0x05).flags(0x80).itt(0x40).int32(20, wire.int32(2, 20));
        conn.onPdu(d);
        assertThat(wire.opcode(3)).isEqualTo(0x21);
        assertThat(wire.bhs.get(3)[3]).isZero(); // GOOD
        assertThat(wire.int32(3, 28)).isEqualTo(cmdSn + 2); // ExpCmdSN past both
    }

    @Test
    void dataSnOutOfSequenceClosesTheConnection() {
        conn.onPdu(command(0x20, rw10(0x2a, 0, 2), 1024, true, null, cmdSn));
        int ttt = wire.int32(1, 20);
        Pdu d = new Pdu(Opcode.DATA_OUT, new byte[48], null, ByteBuffer.wrap(new byte[512]));
        d.byteAt(0, 0x05).itt(0x20).int32(20, ttt).int32(36, 1).int32(40, 0);
        conn.onPdu(d);
        assertThat(wire.closed).isTrue();
    }

    @Test
    void abortTaskDropsAWriteWaitingForData() {
        conn.onPdu(command(0x30, rw10(0x2a, 0, 2), 1024, true, null, cmdSn));
        Pdu tmf = new Pdu(Opcode.TASK_MGMT_REQUEST, new byte[48], null, null);
        tmf.byteAt(0, 0x42).flags(0x81).itt(0x31).int32(20, 0x30).int32(24, cmdSn + 1).int32(32, cmdSn);
        conn.onPdu(tmf);
        assertThat(wire.opcode(2)).isEqualTo(0x22);
        assertThat(wire.bhs.get(2)[2]).isZero(); // function complete
        Pdu d = new Pdu(Opcode.DATA_OUT, new byte[48], null, ByteBuffer.wrap(new byte[1024]));
        d.byteAt(0, 0x05).flags(0x80).itt(0x30).int32(20, wire.int32(1, 20));
        conn.onPdu(d); // late data of the aborted task is ignored, and it never answers
        assertThat(wire.bhs).hasSize(3);
        assertThat(wire.closed).isFalse();
    }

    @Test
    void snackAndLoginInFullFeatureAreRejected() {
        Pdu snack = new Pdu(Opcode.SNACK_REQUEST, new byte[48], null, null);
        snack.byteAt(0, 0x10).flags(0x80);
        conn.onPdu(snack);
        assertThat(wire.opcode(1)).isEqualTo(0x3f);
        assertThat(wire.bhs.get(1)[2]).isEqualTo((byte) 0x04);
        assertThat(wire.data.get(1)).hasSize(48); // the offending header
    }

    @Test
    void logoutAnswersThenCloses() {
        Pdu logout = new Pdu(Opcode.LOGOUT_REQUEST, new byte[48], null, null);
        logout.byteAt(0, 0x46).flags(0x80).itt(0x40).int32(24, cmdSn);
        conn.onPdu(logout);
        assertThat(wire.opcode(1)).isEqualTo(0x26);
        assertThat(wire.bhs.get(1)[2]).isZero();
        assertThat(wire.closed).isTrue();
    }

    /** iscsi-service just started: a machine's login arrives before its spec was read from the machines topic. */
    @Test
    void aMachineLoginWaitsForTheMachineViewInsteadOfBeingRefused() throws Exception {
        var machines = new io.chainboot.iscsi.SwitchableMachines();
        machines.loaded(false);
        var mac = io.chainboot.events.MacAddress.parse("52:54:00:00:0b:01");
        String prefix = "iqn.2026-01.io.chainboot";
        var spec = new io.chainboot.events.MachineSpec(mac, null, "pc-b", null, "sanboot", null, null,
                new io.chainboot.events.MachineSpec.DiskAssignment(io.chainboot.events.DiskKind.RAW, null, 1L << 20),
                null, true, null, java.time.Instant.EPOCH);
        try (TargetRegistry machineTargets = new TargetRegistry(prefix, Optional.empty(), machines,
                TargetRegistry.rawDisks(dir), List.of())) {
            Wire w = new Wire();
            Connection c = new Connection(w, machineTargets, new SessionRegistry(), SessionListener.NONE, Runnable::run,
                    new Connection.Settings(new Negotiator.Limits(262144, 262144, 65536, 2, false, true, false), 16,
                            1 << 24, null, 3260));
            Thread loader = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                machines.put(spec);
                machines.loaded(true);
            });
            loader.start();
            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("InitiatorName", io.chainboot.events.Names.initiatorIqn(prefix, mac));
            keys.put("TargetName", io.chainboot.events.Names.targetIqn(prefix, mac, "pc-b"));
            Pdu login = new Pdu(Opcode.LOGIN_REQUEST, new byte[48], null, ByteBuffer.wrap(TextKeys.encode(keys)));
            login.byteAt(0, 0x43).flags(0x87).int32(24, 1).int32(28, 1);
            c.onPdu(login); // held on this (the reader) thread until the view loaded
            loader.join();
            assertThat(w.opcode(0)).isEqualTo(0x23);
            assertThat(w.bhs.get(0)[36]).as("status class: success, not 0x03 service unavailable").isZero();
            assertThat(c.fullFeature()).isTrue();
            c.end("test over");
        }
    }
}
