package io.chainboot.tftp.transfer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The sender state machine, fed by hand: no sockets, no clock. */
class ReadTransferTest {
    static final long T = 1_000;

    @Test
    void lockStepWithoutOptions() {
        ReadTransfer t = new ReadTransfer(1000, 512, 1, T, 3, false);
        assertThat(t.start(0)).isEqualTo(Step.SEND_WINDOW);
        assertThat(t.sendFrom()).isEqualTo(1);
        assertThat(t.sendTo()).isEqualTo(1);
        assertThat(t.lengthOf(1)).isEqualTo(512);
        assertThat(t.onAck(1, 1)).isEqualTo(Step.SEND_WINDOW);
        assertThat(t.sendFrom()).isEqualTo(2);
        assertThat(t.lengthOf(2)).isEqualTo(488);
        assertThat(t.onAck(2, 2)).isEqualTo(Step.COMPLETED);
        assertThat(t.isDone()).isTrue();
        assertThat(t.bytesAcked()).isEqualTo(1000);
    }

    @Test
    void emptyFileIsOneEmptyBlock() {
        ReadTransfer t = new ReadTransfer(0, 512, 1, T, 3, false);
        t.start(0);
        assertThat(t.lastBlock()).isEqualTo(1);
        assertThat(t.lengthOf(1)).isZero();
        assertThat(t.onAck(1, 1)).isEqualTo(Step.COMPLETED);
    }

    @Test
    void duplicateAckInLockStepIsIgnored() {
        ReadTransfer t = new ReadTransfer(5000, 512, 1, T, 3, false);
        t.start(0);
        t.onAck(1, 1);
        assertThat(t.onAck(1, 2)).isEqualTo(Step.IGNORE);
        assertThat(t.onAck(0, 2)).isEqualTo(Step.IGNORE);
        assertThat(t.onAck(9, 2)).isEqualTo(Step.IGNORE); // never sent
        assertThat(t.retransmits()).isZero();
    }

    @Test
    void timeoutRetransmitsThenGivesUp() {
        ReadTransfer t = new ReadTransfer(5000, 512, 1, T, 2, false);
        t.start(0);
        assertThat(t.onTimeout(T - 1)).isEqualTo(Step.IGNORE);
        assertThat(t.onTimeout(T)).isEqualTo(Step.SEND_WINDOW);
        assertThat(t.sendFrom()).isEqualTo(1);
        assertThat(t.retransmits()).isEqualTo(1);
        assertThat(t.deadline()).isEqualTo(2 * T);
        assertThat(t.onTimeout(2 * T)).isEqualTo(Step.SEND_WINDOW);
        assertThat(t.onTimeout(3 * T)).isEqualTo(Step.TIMED_OUT);
    }

    @Test
    void ackResetsTheRetryBudget() {
        ReadTransfer t = new ReadTransfer(5000, 512, 1, T, 1, false);
        t.start(0);
        assertThat(t.onTimeout(T)).isEqualTo(Step.SEND_WINDOW);
        assertThat(t.onAck(1, T + 1)).isEqualTo(Step.SEND_WINDOW);
        assertThat(t.onTimeout(2 * T + 1)).isEqualTo(Step.SEND_WINDOW);
        assertThat(t.onTimeout(3 * T + 1)).isEqualTo(Step.TIMED_OUT);
    }

    @Test
    void oackThenAckZeroStartsData() {
        ReadTransfer t = new ReadTransfer(5000, 1468, 4, T, 3, true);
        assertThat(t.start(0)).isEqualTo(Step.SEND_OACK);
        assertThat(t.dataStarted()).isFalse();
        assertThat(t.onAck(1, 1)).isEqualTo(Step.IGNORE);
        assertThat(t.onTimeout(T)).isEqualTo(Step.SEND_OACK);
        assertThat(t.onAck(0, T + 1)).isEqualTo(Step.SEND_WINDOW);
        assertThat(t.sendFrom()).isEqualTo(1);
        assertThat(t.sendTo()).isEqualTo(4);
        assertThat(t.lengthOf(4)).isEqualTo(5000 - 3 * 1468);
        assertThat(t.onAck(4, T + 2)).isEqualTo(Step.COMPLETED);
    }

    @Test
    void errorOrSilenceAfterOackIsAProbe() {
        ReadTransfer a = new ReadTransfer(5000, 512, 1, T, 3, true);
        a.start(0);
        assertThat(a.onError()).isEqualTo(Step.PROBE_ENDED);
        ReadTransfer b = new ReadTransfer(5000, 512, 1, T, 0, true);
        b.start(0);
        assertThat(b.onTimeout(T)).isEqualTo(Step.PROBE_ENDED);
        ReadTransfer c = new ReadTransfer(5000, 512, 1, T, 3, false);
        c.start(0);
        assertThat(c.onError()).isEqualTo(Step.CLIENT_ABORTED);
    }

    @Test
    void windowSlidesToTheAckedBlock() {
        ReadTransfer t = new ReadTransfer(100 * 512, 512, 8, T, 3, false);
        t.start(0);
        assertThat(t.sendTo()).isEqualTo(8);
        assertThat(t.onAck(8, 1)).isEqualTo(Step.SEND_WINDOW);
        assertThat(t.sendFrom()).isEqualTo(9);
        assertThat(t.sendTo()).isEqualTo(16);
        // the client lost block 12 and acknowledges 11: resend from 12
        assertThat(t.onAck(11, 2)).isEqualTo(Step.SEND_WINDOW);
        assertThat(t.sendFrom()).isEqualTo(12);
        assertThat(t.sendTo()).isEqualTo(19);
        assertThat(t.retransmits()).isEqualTo(5); // 12..16 again
    }

    @Test
    void windowedDuplicateAckResendsOncePerPosition() {
        ReadTransfer t = new ReadTransfer(100 * 512, 512, 4, T, 3, false);
        t.start(0);
        t.onAck(4, 1);                                  // window 5..8 sent
        assertThat(t.onAck(4, 2)).isEqualTo(Step.SEND_WINDOW); // block 5 lost: resend 5..8
        assertThat(t.sendFrom()).isEqualTo(5);
        assertThat(t.onAck(4, 3)).isEqualTo(Step.IGNORE);     // a second duplicate cannot multiply traffic
    }

    @Test
    void blockNumbersRollOverPast65535() {
        long blocks = 70_000;
        ReadTransfer t = new ReadTransfer(blocks * 8 + 3, 8, 1, T, 3, false);
        t.start(0);
        for (long b = 1; b < t.lastBlock(); b++) {
            assertThat(t.onAck((int) (b & 0xFFFF), b)).isEqualTo(Step.SEND_WINDOW);
            assertThat(t.sendFrom()).isEqualTo(b + 1);
        }
        assertThat(t.lastBlock()).isEqualTo(blocks + 1);
        assertThat(t.onAck((int) ((blocks + 1) & 0xFFFF), blocks + 1)).isEqualTo(Step.COMPLETED);
        assertThat(t.bytesAcked()).isEqualTo(blocks * 8 + 3);
    }

    @Test
    void rolloverInsideAWindow() {
        ReadTransfer t = new ReadTransfer(70_000L * 512, 512, 50, T, 3, false);
        t.start(0);
        long acked = 0;
        while (acked + 50 < 65_530) {
            acked += 50;
            t.onAck((int) (acked & 0xFFFF), 1);
        }
        // window now straddles 65535 → 0
        assertThat(t.sendTo()).isGreaterThan(65_536);
        long end = t.sendTo();
        assertThat(t.onAck((int) (end & 0xFFFF), 2)).isEqualTo(Step.SEND_WINDOW);
        assertThat(t.sendFrom()).isEqualTo(end + 1);
    }
}
