package io.chainboot.iscsi.session;

import java.util.HashMap;
import java.util.Map;

/**
 * The session's command numbering (RFC 7143 §3.2.2.1 and §4.2.2.1) as a pure state machine: it owns
 * ExpCmdSN and MaxCmdSN and decides, for each arriving command PDU, whether it runs now, waits for a
 * gap before it to fill, or is dropped. It owns no socket and no thread and runs no code of its own:
 * it keeps the caller's actions ({@code A}) for queued commands and hands them back in CmdSN order.
 *
 * <ul>
 * <li>An immediate command (I bit) is delivered at once and does not move ExpCmdSN.</li>
 * <li>A non-immediate command whose CmdSN is ExpCmdSN is delivered and advances ExpCmdSN by one;
 *     the caller then drains {@link #next()} for queued commands that are now in order.</li>
 * <li>One ahead of ExpCmdSN but not beyond MaxCmdSN waits (its data may already flow).</li>
 * <li>CmdSN below ExpCmdSN (already seen: a duplicate) or above MaxCmdSN is silently dropped
 *     (§4.2.2.1: "outside of this range ... silently ignored").</li>
 * </ul>
 * MaxCmdSN is ExpCmdSN + window - 1, so the initiator may have {@code window} commands queued.
 * Serial-number arithmetic (RFC 1982) throughout; ExpCmdSN is volatile because the threads that write
 * answers read it for the ExpCmdSN/MaxCmdSN fields, while only the connection's reader changes it.
 */
final class CommandWindow<A> {
    /** What to do with an arriving command. */
    enum Verdict {
        /** Immediate: deliver now; ExpCmdSN unchanged. */
        IMMEDIATE,
        /** In order: deliver now (ExpCmdSN already advanced), then drain {@link #next()}. */
        NEXT,
        /** Ahead of a gap: queued; it comes back from {@link #next()} once the gap fills. */
        QUEUED,
        /** CmdSN below ExpCmdSN: dropped. */
        TOO_LOW,
        /** CmdSN above MaxCmdSN: dropped. */
        TOO_HIGH;

        /** Whether the command was accepted (delivered now or queued). */
        boolean accepted() {
            return this != TOO_LOW && this != TOO_HIGH;
        }
    }

    private final int window;
    private final Map<Integer, A> waiting = new HashMap<>();
    private volatile int expCmdSn;

    /** @param window how many commands may be outstanding (MaxCmdSN - ExpCmdSN + 1), at least 1 */
    CommandWindow(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("command window must be at least 1, was " + window);
        }
        this.window = window;
    }

    /** Numbering starts at the CmdSN of the session's first Login Request (§11.12.6). */
    void start(int firstCmdSn) {
        expCmdSn = firstCmdSn;
        waiting.clear();
    }

    int expCmdSn() {
        return expCmdSn;
    }

    int maxCmdSn() {
        return expCmdSn + window - 1;
    }

    /** Whether {@code cmdSn} is before the window: that command was delivered already (used by ABORT TASK's RefCmdSN). */
    boolean before(int cmdSn) {
        return SerialNumbers.lessThan(cmdSn, expCmdSn);
    }

    /** Decides about one arriving command; for {@link Verdict#QUEUED} it keeps {@code action} for {@link #next()}. */
    Verdict arrive(int cmdSn, boolean immediate, A action) {
        if (immediate) {
            return Verdict.IMMEDIATE;
        }
        if (SerialNumbers.lessThan(cmdSn, expCmdSn)) {
            return Verdict.TOO_LOW;
        }
        if (SerialNumbers.greaterThan(cmdSn, maxCmdSn())) {
            return Verdict.TOO_HIGH;
        }
        if (cmdSn != expCmdSn) {
            waiting.put(cmdSn, action); // a resent CmdSN replaces the earlier one
            return Verdict.QUEUED;
        }
        expCmdSn = cmdSn + 1;
        return Verdict.NEXT;
    }

    /** The queued command whose CmdSN is now ExpCmdSN, advancing ExpCmdSN past it; null when the next one has not arrived. */
    A next() {
        A a = waiting.remove(expCmdSn);
        if (a != null) {
            expCmdSn = expCmdSn + 1;
        }
        return a;
    }

    /** Commands waiting for a gap to fill. */
    int queued() {
        return waiting.size();
    }
}
