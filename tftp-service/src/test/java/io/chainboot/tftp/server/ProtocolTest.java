package io.chainboot.tftp.server;

import io.chainboot.common.testing.Eventually;
import io.chainboot.events.TftpEvents;
import io.chainboot.tftp.FixedLeases;
import io.chainboot.tftp.codec.ErrorCode;
import io.chainboot.tftp.codec.TftpPacket;
import io.chainboot.tftp.codec.TransferMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Protocol behaviour seen from a scripted client: retransmission, TIDs, OACK, probes, errors. */
class ProtocolTest {
    @TempDir
    Path root;
    ServerFixture fx;
    byte[] small;

    @BeforeEach
    void start() throws Exception {
        small = new byte[5000];
        new Random(1).nextBytes(small);
        Files.write(root.resolve("small.bin"), small);
        Files.write(root.resolve("exact.bin"), new byte[1024]);
        Files.writeString(root.resolve("text.txt"), "line one\nline two\rend\n");
        fx = new ServerFixture(root);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void plainRequestGetsDataBlockOneFromANewTidAndCompletes() throws Exception {
        fx.close();
        fx = new ServerFixture(root, 65464, 60_000, 3, 500); // no timer firing on a slow host: zero retransmits is exact
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("small.bin", Map.of());
            TftpPacket first = c.receive();
            assertThat(first).isInstanceOf(TftpPacket.Data.class);
            assertThat(c.serverTid.getPort()).isNotEqualTo(fx.port());
            assertThat(c.download(first, 512, -1)).isEqualTo(small);
        }
        Eventually.until(() -> !fx.events.of(TftpEvents.Completed.class).isEmpty(), "completed event");
        TftpEvents.Completed done = fx.events.of(TftpEvents.Completed.class).get(0);
        assertThat(done.mac()).isEqualTo(FixedLeases.LOOPBACK_MAC);
        assertThat(done.file()).isEqualTo("small.bin");
        assertThat(done.bytes()).isEqualTo(5000);
        assertThat(done.blockSize()).isEqualTo(512);
        assertThat(done.windowSize()).isEqualTo(1);
        assertThat(done.retransmits()).isZero();
        TftpEvents.Started started = fx.events.of(TftpEvents.Started.class).get(0);
        assertThat(started.tsize()).isNull();
    }

    @Test
    void fileOfExactBlockMultipleEndsWithAnEmptyBlock() throws Exception {
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("exact.bin", Map.of());
            byte[] got = c.download(c.receive(), 512, -1);
            assertThat(got).hasSize(1024);
            TftpPacket.Data last = (TftpPacket.Data) c.received.get(c.received.size() - 1);
            assertThat(last.block()).isEqualTo(3);
            assertThat(last.payload()).isEmpty();
        }
    }

    @Test
    void droppedAckIsRecoveredByRetransmission() throws Exception {
        fx.close();
        // the 300 ms timer must fire for the dropped ACK; 20 retries so a starved client is not a failure
        fx = new ServerFixture(root, 65464, 300, 20, 500);
        int copiesOfBlock4;
        long duplicates;
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("small.bin", Map.of());
            assertThat(c.download(c.receive(), 512, 4)).isEqualTo(small);
            copiesOfBlock4 = c.copiesOf(4);
            duplicates = c.duplicateData();
        }
        Eventually.until(() -> !fx.events.of(TftpEvents.Completed.class).isEmpty(), "completed event");
        assertThat(copiesOfBlock4).as("block 4 resent after its ACK was dropped").isGreaterThanOrEqualTo(2);
        // the timer may also fire for a block the client was slow to ACK on a busy host: the event
        // counts exactly the copies the client saw, whatever the timing
        assertThat(fx.events.of(TftpEvents.Completed.class).get(0).retransmits()).isEqualTo(duplicates);
    }

    @Test
    void duplicateAckDoesNotTriggerAResend() throws Exception {
        fx.close();
        // a timer that cannot fire during the test: any second copy of block 2 would be the duplicate ACK's
        fx = new ServerFixture(root, 65464, 60_000, 3, 500);
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("small.bin", Map.of());
            TftpPacket.Data d1 = (TftpPacket.Data) c.receive();
            c.ack(1);
            TftpPacket.Data d2 = (TftpPacket.Data) c.receive();
            assertThat(d2.block()).isEqualTo(2);
            c.ack(1); // duplicate: must not make the server send block 2 again
            c.ack(2);
            TftpPacket next = c.receive();
            assertThat(next).isEqualTo(new TftpPacket.Data(3, java.util.Arrays.copyOfRange(small, 1024, 1536)));
            assertThat(d1.block()).isEqualTo(1);
        }
    }

    @Test
    void oackCarriesOnlyRequestedOptionsWithCappedValues() throws Exception {
        try (TestClient c = new TestClient(fx.address)) {
            Map<String, String> opts = new LinkedHashMap<>();
            opts.put("tsize", "0");
            opts.put("blksize", "1468");
            opts.put("windowsize", "100");
            opts.put("frobnicate", "1");
            c.rrq("small.bin", opts);
            TftpPacket first = c.receive();
            assertThat(first).isEqualTo(new TftpPacket.OptionAck(Map.of("tsize", "5000", "blksize", "1468", "windowsize", "64")));
            assertThat(((TftpPacket.OptionAck) first).options().keySet()).containsExactly("tsize", "blksize", "windowsize");
            c.ack(0);
            // a window of 4 blocks (5000 bytes at 1468) arrives without waiting for ACKs
            for (int b = 1; b <= 4; b++) {
                assertThat(((TftpPacket.Data) c.receive()).block()).isEqualTo(b);
            }
            c.ack(4);
        }
        Eventually.until(() -> !fx.events.of(TftpEvents.Completed.class).isEmpty(), "completed event");
        assertThat(fx.events.of(TftpEvents.Started.class).get(0).tsize()).isEqualTo(5000L);
    }

    @Test
    void windowedTransferResumesAfterTheLastInOrderBlock() throws Exception {
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("small.bin", Map.of("blksize", "512", "windowsize", "4"));
            assertThat(c.receive()).isInstanceOf(TftpPacket.OptionAck.class);
            c.ack(0);
            for (int b = 1; b <= 4; b++) {
                assertThat(((TftpPacket.Data) c.receive()).block()).isEqualTo(b);
            }
            c.ack(2); // "lost" block 3: the server must resend from 3
            assertThat(((TftpPacket.Data) c.receive()).block()).isEqualTo(3);
        }
    }

    @Test
    void blockLostMidWindowIsRecoveredAndTheFileArrivesIntact() throws Exception {
        byte[] big = new byte[300_000];
        new Random(3).nextBytes(big);
        Files.write(root.resolve("window.bin"), big);
        int blksize = 1468;
        int window = 64;
        long lose = 70; // in the middle of the second window
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("window.bin", Map.of("blksize", Integer.toString(blksize), "windowsize", Integer.toString(window)));
            assertThat(c.receive()).isEqualTo(new TftpPacket.OptionAck(Map.of("blksize", "1468", "windowsize", "64")));
            c.ack(0);
            long expected = 1;
            int inWindow = 0;
            boolean lost = false;
            boolean ackedGap = false;
            while (true) {
                TftpPacket p = c.receive();
                assertThat(p).as("DATA block %d", expected).isInstanceOf(TftpPacket.Data.class);
                TftpPacket.Data d = (TftpPacket.Data) p;
                if (d.block() == expected && expected == lose && !lost) {
                    lost = true; // as if the network dropped it
                    continue;
                }
                if (d.block() != expected) {
                    if (!ackedGap) { // RFC 7440 §4: ACK the last block received in order
                        ackedGap = true;
                        c.ack((int) (expected - 1));
                        inWindow = 0;
                    }
                    continue;
                }
                ackedGap = false;
                got.write(d.payload());
                if (d.payload().length < blksize) {
                    c.ack(d.block());
                    break;
                }
                if (++inWindow == window) {
                    c.ack(d.block());
                    inWindow = 0;
                }
                expected++;
            }
            assertThat(lost).isTrue();
        }
        assertThat(got.toByteArray()).isEqualTo(big);
        Eventually.until(() -> !fx.events.of(TftpEvents.Completed.class).isEmpty(), "completed event");
        TftpEvents.Completed done = fx.events.of(TftpEvents.Completed.class).get(0);
        assertThat(done.windowSize()).isEqualTo(64);
        assertThat(done.retransmits()).as("blocks resent from the lost one on").isPositive();
    }

    @Test
    void tsizeProbeAbortedWithError8IsNotAFailure() throws Exception {
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("small.bin", Map.of("tsize", "0"));
            assertThat(c.receive()).isEqualTo(new TftpPacket.OptionAck(Map.of("tsize", "5000")));
            c.send(new TftpPacket.Error(ErrorCode.OPTION_REFUSED, "tsize probe"), c.serverTid);
        }
        Eventually.until(() -> fx.counter("chainboot.tftp.transfers", "outcome", "probe") == 1, "probe counted");
        assertThat(fx.events.events()).isEmpty();
        assertThat(fx.server.activeTransfers()).isZero();
    }

    @Test
    void probeThenNewRequestFromTheSamePortIsServed() throws Exception {
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("small.bin", Map.of("tsize", "0"));
            assertThat(c.receive()).isInstanceOf(TftpPacket.OptionAck.class);
            c.send(new TftpPacket.Error(ErrorCode.OPTION_REFUSED, "tsize probe"), c.serverTid);
            c.serverTid = null;
            c.rrq("small.bin", Map.of("blksize", "1468"));
            TftpPacket first = c.receive();
            assertThat(first).isEqualTo(new TftpPacket.OptionAck(Map.of("blksize", "1468")));
            assertThat(c.download(first, 1468, -1)).isEqualTo(small);
        }
    }

    @Test
    void silenceAfterOackIsAProbeNotAFailure() throws Exception {
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("small.bin", Map.of("tsize", "0"));
            assertThat(c.receive()).isInstanceOf(TftpPacket.OptionAck.class);
            Eventually.until(() -> fx.counter("chainboot.tftp.transfers", "outcome", "probe") == 1, "probe counted");
        }
        assertThat(fx.events.of(TftpEvents.Failed.class)).isEmpty();
    }

    @Test
    void clientClosingItsPortAfterTheOackIsAProbeNotAFailure() throws Exception {
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("small.bin", Map.of("tsize", "0", "blksize", "1468"));
            assertThat(c.receive()).isInstanceOf(TftpPacket.OptionAck.class);
        } // port closed: the OACK retransmission meets an ICMP port unreachable
        Eventually.until(() -> fx.counter("chainboot.tftp.transfers", "outcome", "probe") == 1, "probe counted");
        assertThat(fx.events.of(TftpEvents.Failed.class)).isEmpty();
        assertThat(fx.counter("chainboot.tftp.transfers", "outcome", "failed")).isZero();
    }

    @Test
    void finalAckQueuedBehindAPortUnreachableStillCompletes() throws Exception {
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("small.bin", Map.of("windowsize", "4")); // 10 blocks of 512
            assertThat(c.receive()).isInstanceOf(TftpPacket.OptionAck.class);
            c.ack(0);
            for (int b = 1; b <= 10; b++) {
                assertThat(((TftpPacket.Data) c.receive()).block()).isEqualTo(b);
                if (b == 4 || b == 8) {
                    c.ack(b);
                }
            }
            c.ack(8);  // duplicate of the window's predecessor: the server resends 9..10 ...
            c.ack(10); // ... while the final ACK waits in its queue
        } // ... and the resent blocks meet a closed port (ICMP port unreachable on the connected socket)
        Eventually.until(() -> fx.counter("chainboot.tftp.transfers", "outcome", "completed") == 1, "completed");
        assertThat(fx.events.of(TftpEvents.Failed.class)).isEmpty();
    }

    @Test
    void wrongTidGetsError5AndTheTransferGoesOn() throws Exception {
        try (TestClient c = new TestClient(fx.address); TestClient stranger = new TestClient(fx.address)) {
            c.rrq("small.bin", Map.of());
            TftpPacket first = c.receive();
            stranger.send(new TftpPacket.Ack(1), c.serverTid);
            assertThat(stranger.receive()).isEqualTo(new TftpPacket.Error(ErrorCode.UNKNOWN_TID, "unknown transfer ID"));
            assertThat(c.download(first, 512, -1)).isEqualTo(small);
        }
    }

    @Test
    void withoutConnectedSocketsTheTransferAndWrongTidWorkTheSame() throws Exception {
        // the ACK of block 2 is dropped: the 300 ms timer resends it; 20 retries so a starved client is not a failure
        try (ServerFixture plain = new ServerFixture(root, 65464, 300, 20, 500, false);
             TestClient c = new TestClient(plain.address); TestClient stranger = new TestClient(plain.address)) {
            c.rrq("small.bin", Map.of("blksize", "1468"));
            TftpPacket first = c.receive();
            assertThat(first).isEqualTo(new TftpPacket.OptionAck(Map.of("blksize", "1468")));
            stranger.send(new TftpPacket.Ack(0), c.serverTid);
            assertThat(stranger.receive()).isEqualTo(new TftpPacket.Error(ErrorCode.UNKNOWN_TID, "unknown transfer ID"));
            assertThat(c.download(first, 1468, 2)).isEqualTo(small);
        }
    }

    @Test
    void missingFileTraversalAndWriteGetErrors() throws Exception {
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("nope.bin", Map.of());
            assertThat(((TftpPacket.Error) c.receive()).code()).isEqualTo(ErrorCode.FILE_NOT_FOUND);
            c.rrq("../../etc/passwd", Map.of());
            assertThat(((TftpPacket.Error) c.receive()).code()).isEqualTo(ErrorCode.ACCESS_VIOLATION);
            c.rrq("..\\..\\etc\\passwd", Map.of());
            assertThat(((TftpPacket.Error) c.receive()).code()).isEqualTo(ErrorCode.ACCESS_VIOLATION);
            c.send(new TftpPacket.WriteRequest("upload.bin", TransferMode.OCTET, Map.of()), fx.address);
            assertThat(((TftpPacket.Error) c.receive()).code()).isEqualTo(ErrorCode.ACCESS_VIOLATION);
        }
        assertThat(Files.exists(root.resolve("upload.bin"))).isFalse();
        Eventually.until(() -> fx.events.of(TftpEvents.Failed.class).size() == 3, "three failed events");
        assertThat(fx.events.of(TftpEvents.Failed.class).get(0).reason()).isEqualTo("file not found");
    }

    @Test
    void backslashPathsFromPxeRomsMapToTheRoot() throws Exception {
        Files.createDirectories(root.resolve("boot"));
        Files.write(root.resolve("boot/x.efi"), small);
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("\\boot\\x.efi", Map.of());
            assertThat(c.download(c.receive(), 512, -1)).isEqualTo(small);
        }
    }

    @Test
    void netasciiTranslatesLineEnds() throws Exception {
        try (TestClient c = new TestClient(fx.address)) {
            c.send(new TftpPacket.ReadRequest("text.txt", TransferMode.NETASCII, Map.of("tsize", "0")), fx.address);
            TftpPacket first = c.receive();
            assertThat(first).isEqualTo(new TftpPacket.OptionAck(Map.of("tsize", "25")));
            byte[] got = c.download(first, 512, -1);
            assertThat(new String(got, StandardCharsets.ISO_8859_1)).isEqualTo("line one\r\nline two\r\0end\r\n");
        }
    }

    @Test
    void garbageIsCountedAndTheServerKeepsServing() throws Exception {
        try (TestClient c = new TestClient(fx.address)) {
            c.sendRaw(new byte[] {0, 9, 1, 2}, fx.address);
            c.sendRaw(new byte[] {0, 1, 'a'}, fx.address);
            c.rrq("small.bin", Map.of());
            assertThat(c.download(c.receive(), 512, -1)).isEqualTo(small);
        }
        assertThat(fx.counter("chainboot.tftp.packets.invalid")).isEqualTo(2);
    }

    @Test
    void unknownMacIsNullAndTheEventIsKeyedByIp() throws Exception {
        fx.leases.empty();
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("small.bin", Map.of());
            c.download(c.receive(), 512, -1);
        }
        Eventually.until(() -> !fx.events.of(TftpEvents.Completed.class).isEmpty(), "completed event");
        TftpEvents.Completed done = fx.events.of(TftpEvents.Completed.class).get(0);
        assertThat(done.mac()).isNull();
        assertThat(done.key()).isEqualTo("127.0.0.1");
    }

    @Test
    void beyondMaxTransfersARequestWaitsInLineAndIsServedWhenASlotFrees() throws Exception {
        fx.close();
        fx = new ServerFixture(root, 65464, 2000, 3, 1);
        try (TestClient a = new TestClient(fx.address); TestClient b = new TestClient(fx.address)) {
            a.rrq("small.bin", Map.of());
            TftpPacket first = a.receive();
            assertThat(first).isInstanceOf(TftpPacket.Data.class);
            b.rrq("small.bin", Map.of());
            b.socket.setSoTimeout(700);
            // no ERROR (a PXE ROM gives up on one) while the only slot is taken: b waits in line
            assertThat(b.receive()).as("answer to a request beyond max-transfers").isNull();
            assertThat(fx.counter("chainboot.tftp.transfers", "outcome", "busy")).isEqualTo(1.0);
            assertThat(a.download(first, 512, -1)).isEqualTo(small);
            b.socket.setSoTimeout(4000);
            TftpPacket served = b.receive(); // without retransmitting: its transfer starts as a's ends
            assertThat(served).isInstanceOf(TftpPacket.Data.class);
            assertThat(b.download(served, 512, -1)).isEqualTo(small);
        }
        assertThat(fx.events.of(TftpEvents.Failed.class)).isEmpty();
    }

    @Test
    void concurrentTransfersOfOneFileShareOneOpenFile() throws Exception {
        try (TestClient a = new TestClient(fx.address); TestClient b = new TestClient(fx.address)) {
            a.rrq("small.bin", Map.of());
            b.rrq("small.bin", Map.of());
            TftpPacket fa = a.receive();
            TftpPacket fb = b.receive();
            assertThat(fx.server.openFiles()).isEqualTo(1);
            assertThat(a.download(fa, 512, -1)).isEqualTo(small);
            assertThat(b.download(fb, 512, -1)).isEqualTo(small);
        }
        Eventually.until(() -> fx.server.openFiles() == 0, "file closed after the last transfer");
    }

    @Test
    void unansweredTransferTimesOutAsFailure() throws Exception {
        try (TestClient c = new TestClient(fx.address)) {
            c.rrq("small.bin", Map.of());
            assertThat(c.receive()).isInstanceOf(TftpPacket.Data.class);
            Eventually.until(() -> !fx.events.of(TftpEvents.Failed.class).isEmpty(), "failed event");
        }
        TftpEvents.Failed failed = fx.events.of(TftpEvents.Failed.class).get(0);
        assertThat(failed.reason()).startsWith("timed out");
        assertThat(failed.file()).isEqualTo("small.bin");
        // the event is published as the transfer ends; its slot and counter follow on the same thread
        Eventually.until(() -> fx.server.activeTransfers() == 0, "the timed-out transfer is gone");
        Eventually.until(() -> fx.counter("chainboot.tftp.transfers", "outcome", "failed") == 1, "one failed transfer counted");
        assertThat(fx.events.of(TftpEvents.Failed.class)).as("one failure, not a retry of it").hasSize(1);
    }
}
