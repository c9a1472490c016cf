package io.chainboot.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainboot.iscsi.session.CommandWindow.Verdict;
import org.junit.jupiter.api.Test;

/** CmdSN numbering alone (RFC 7143 §4.2.2.1): delivery order, queueing behind a gap, drops, immediates, wrap-around. */
class CommandWindowTest {

    @Test
    void inOrderCommandsAdvanceExpCmdSnAndMaxCmdSnFollows() {
        CommandWindow<String> w = new CommandWindow<>(16);
        w.start(100);
        assertThat(w.expCmdSn()).isEqualTo(100);
        assertThat(w.maxCmdSn()).isEqualTo(115);
        assertThat(w.arrive(100, false, "a")).isEqualTo(Verdict.NEXT);
        assertThat(w.expCmdSn()).isEqualTo(101);
        assertThat(w.maxCmdSn()).isEqualTo(116);
        assertThat(w.next()).as("nothing queued").isNull();
        assertThat(w.expCmdSn()).isEqualTo(101);
    }

    @Test
    void commandsAheadOfAGapWaitAndComeBackInCmdSnOrder() {
        CommandWindow<String> w = new CommandWindow<>(16);
        w.start(10);
        assertThat(w.arrive(13, false, "c13")).isEqualTo(Verdict.QUEUED);
        assertThat(w.arrive(11, false, "c11")).isEqualTo(Verdict.QUEUED);
        assertThat(w.queued()).isEqualTo(2);
        assertThat(w.expCmdSn()).as("a gap does not move the window").isEqualTo(10);
        assertThat(w.arrive(10, false, "c10")).isEqualTo(Verdict.NEXT);
        assertThat(w.next()).isEqualTo("c11");
        assertThat(w.expCmdSn()).isEqualTo(12);
        assertThat(w.next()).as("12 still missing: 13 keeps waiting").isNull();
        assertThat(w.arrive(12, false, "c12")).isEqualTo(Verdict.NEXT);
        assertThat(w.next()).isEqualTo("c13");
        assertThat(w.next()).isNull();
        assertThat(w.expCmdSn()).isEqualTo(14);
        assertThat(w.queued()).isZero();
    }

    @Test
    void cmdSnBelowExpCmdSnOrBeyondMaxCmdSnIsDroppedAndChangesNothing() {
        CommandWindow<String> w = new CommandWindow<>(4);
        w.start(50);
        w.arrive(50, false, "x");
        assertThat(w.arrive(50, false, "again")).as("already delivered").isEqualTo(Verdict.TOO_LOW);
        assertThat(w.arrive(40, false, "old")).isEqualTo(Verdict.TOO_LOW);
        assertThat(w.arrive(54, false, "last in window")).isEqualTo(Verdict.QUEUED); // MaxCmdSN = 51 + 4 - 1
        assertThat(w.arrive(55, false, "beyond")).isEqualTo(Verdict.TOO_HIGH);
        assertThat(Verdict.TOO_LOW.accepted()).isFalse();
        assertThat(Verdict.TOO_HIGH.accepted()).isFalse();
        assertThat(Verdict.QUEUED.accepted()).isTrue();
        assertThat(w.queued()).isEqualTo(1);
        assertThat(w.expCmdSn()).isEqualTo(51);
    }

    @Test
    void immediateCommandsAreDeliveredAtOnceWithoutMovingTheWindow() {
        CommandWindow<String> w = new CommandWindow<>(4);
        w.start(7);
        assertThat(w.arrive(7, true, "nop")).isEqualTo(Verdict.IMMEDIATE);
        assertThat(w.arrive(1000, true, "tmf")).as("an immediate's CmdSN is not checked").isEqualTo(Verdict.IMMEDIATE);
        assertThat(w.expCmdSn()).isEqualTo(7);
        assertThat(w.queued()).isZero();
        assertThat(w.arrive(7, false, "cmd")).isEqualTo(Verdict.NEXT);
    }

    @Test
    void aResentCmdSnReplacesTheQueuedOne() {
        CommandWindow<String> w = new CommandWindow<>(8);
        w.start(0);
        w.arrive(2, false, "first");
        w.arrive(2, false, "second");
        w.arrive(0, false, "c0");
        w.arrive(1, false, "c1");
        assertThat(w.next()).isEqualTo("second");
    }

    @Test
    void serialNumberArithmeticWrapsAround() {
        CommandWindow<String> w = new CommandWindow<>(16);
        w.start(0xfffffffe);
        assertThat(w.maxCmdSn()).isEqualTo(13);
        assertThat(w.arrive(1, false, "after wrap")).isEqualTo(Verdict.QUEUED);
        assertThat(w.arrive(0xfffffff0, false, "before")).isEqualTo(Verdict.TOO_LOW);
        assertThat(w.arrive(14, false, "beyond")).isEqualTo(Verdict.TOO_HIGH);
        assertThat(w.arrive(0xfffffffe, false, "a")).isEqualTo(Verdict.NEXT);
        assertThat(w.arrive(0xffffffff, false, "b")).isEqualTo(Verdict.NEXT);
        assertThat(w.expCmdSn()).isZero();
        assertThat(w.next()).isNull();
        w.arrive(0, false, "c");
        assertThat(w.next()).isEqualTo("after wrap");
        assertThat(w.expCmdSn()).isEqualTo(2);
    }

    @Test
    void refCmdSnBeforeTheWindowMeansTheCommandWasDelivered() {
        CommandWindow<String> w = new CommandWindow<>(4);
        w.start(20);
        w.arrive(20, false, "a");
        assertThat(w.before(20)).isTrue();
        assertThat(w.before(21)).isFalse();
        assertThat(w.before(22)).isFalse();
    }

    @Test
    void startResetsTheQueueAndAWindowBelowOneIsRefused() {
        CommandWindow<String> w = new CommandWindow<>(4);
        w.start(0);
        w.arrive(2, false, "stale");
        w.start(5);
        assertThat(w.queued()).isZero();
        assertThat(w.expCmdSn()).isEqualTo(5);
        assertThatThrownBy(() -> new CommandWindow<String>(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
