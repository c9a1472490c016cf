package io.chainboot.tftp.transfer;

/**
 * The sender side of one read transfer, apart from any socket: it is fed ACKs, client ERRORs and
 * timeouts, and answers with a {@link Step}; the adapter then sends what {@link #sendFrom()} ..
 * {@link #sendTo()} name. Allocation-free per block.
 *
 * <p>Rules implemented:
 * <ul>
 * <li>RFC 1350 §2/§6: lock-step DATA/ACK, blocks numbered from 1, the transfer ends on a block
 *     shorter than blksize (an empty one when the size is a multiple of it).</li>
 * <li>RFC 1123 §4.2.3.1 (Sorcerer's Apprentice): a duplicate ACK never triggers a retransmission
 *     in lock-step; only the timer does.</li>
 * <li>RFC 7440 §4: windows of {@code windowsize} blocks; an ACK for block n (the last in-order block
 *     the client has) moves the window to n+1 and sends a full window from there. A duplicate ACK of
 *     the window's predecessor means the client lost the window's first block: the window is resent,
 *     at most once per window position, so duplicates cannot multiply.</li>
 * <li>Block numbers are 16-bit on the wire and roll over from 65535 to 0; internally they are
 *     absolute {@code long}s.</li>
 * <li>RFC 2347 §2: after an OACK the client's ACK 0 starts the data; an ERROR (normally code 8) or
 *     silence instead of it ends the transfer as a {@link Step#PROBE_ENDED} probe.</li>
 * </ul>
 */
public final class ReadTransfer {
    enum Phase { NEW, AWAIT_OACK_ACK, SENDING, DONE }

    private final long size;
    private final int blksize;
    private final int window;
    private final long timeoutNanos;
    private final int maxRetries;
    private final boolean oack;
    private final long lastBlock;

    private Phase phase = Phase.NEW;
    private long base = 1;          // first unacknowledged block
    private long sendFrom;
    private long sendTo;
    private long highestSent;      // blocks at or below this were sent before: sending them again is a retransmit
    private long resentForBase = -1;
    private int retriesLeft;
    private long deadline;
    private long retransmits;

    /**
     * @param size       bytes to deliver
     * @param oack       whether negotiation produced an OACK to send first
     * @param maxRetries retransmissions after the first send before giving up
     */
    public ReadTransfer(long size, int blksize, int window, long timeoutNanos, int maxRetries, boolean oack) {
        if (size < 0 || blksize < 1 || window < 1 || timeoutNanos < 1 || maxRetries < 0) {
            throw new IllegalArgumentException("bad transfer parameters");
        }
        this.size = size;
        this.blksize = blksize;
        this.window = window;
        this.timeoutNanos = timeoutNanos;
        this.maxRetries = maxRetries;
        this.oack = oack;
        this.lastBlock = size / blksize + 1;
    }

    /** The first thing to send: the OACK, or the first window of DATA. */
    public Step start(long now) {
        if (phase != Phase.NEW) {
            throw new IllegalStateException("already started");
        }
        retriesLeft = maxRetries;
        deadline = now + timeoutNanos;
        if (oack) {
            phase = Phase.AWAIT_OACK_ACK;
            return Step.SEND_OACK;
        }
        phase = Phase.SENDING;
        return window(now);
    }

    /** An ACK with the 16-bit block number {@code block16} arrived from the client's TID. */
    public Step onAck(int block16, long now) {
        switch (phase) {
            case AWAIT_OACK_ACK:
                if (block16 != 0) {
                    return Step.IGNORE;
                }
                phase = Phase.SENDING;
                retriesLeft = maxRetries;
                return window(now);
            case SENDING: {
                long prev = base - 1;
                long delta = (block16 - prev) & 0xFFFF;
                if (delta == 0) {
                    // duplicate of the previous ACK
                    if (window > 1 && resentForBase != base && sendTo >= base) {
                        resentForBase = base;
                        return window(now);
                    }
                    return Step.IGNORE;
                }
                if (delta > highestSent - prev) {
                    return Step.IGNORE; // stale or from the future: not something we sent
                }
                long acked = prev + delta;
                if (acked >= lastBlock) {
                    phase = Phase.DONE;
                    base = lastBlock + 1;
                    return Step.COMPLETED;
                }
                base = acked + 1;
                retriesLeft = maxRetries;
                return window(now);
            }
            default:
                return Step.IGNORE;
        }
    }

    /** The client sent an ERROR packet. */
    public Step onError() {
        Phase was = phase;
        phase = Phase.DONE;
        return was == Phase.AWAIT_OACK_ACK ? Step.PROBE_ENDED : Step.CLIENT_ABORTED;
    }

    /** Call when {@code now >= deadline()}; retransmits or gives up. */
    public Step onTimeout(long now) {
        if (phase == Phase.DONE || phase == Phase.NEW || now - deadline < 0) {
            return Step.IGNORE;
        }
        if (retriesLeft <= 0) {
            Phase was = phase;
            phase = Phase.DONE;
            return was == Phase.AWAIT_OACK_ACK ? Step.PROBE_ENDED : Step.TIMED_OUT;
        }
        retriesLeft--;
        deadline = now + timeoutNanos;
        if (phase == Phase.AWAIT_OACK_ACK) {
            return Step.SEND_OACK;
        }
        return window(now);
    }

    private Step window(long now) {
        sendFrom = base;
        sendTo = Math.min(base + window - 1, lastBlock);
        if (sendFrom <= highestSent) {
            retransmits += Math.min(sendTo, highestSent) - sendFrom + 1;
        }
        if (sendTo > highestSent) {
            highestSent = sendTo;
        }
        deadline = now + timeoutNanos;
        return Step.SEND_WINDOW;
    }

    /** Absolute number of the first block to send now. */
    public long sendFrom() {
        return sendFrom;
    }

    /** Absolute number of the last block to send now (inclusive). */
    public long sendTo() {
        return sendTo;
    }

    /** Byte offset of absolute block {@code block} in the file. */
    public long offsetOf(long block) {
        return (block - 1) * blksize;
    }

    /** Payload length of absolute block {@code block}: blksize, less for the last one (maybe 0). */
    public int lengthOf(long block) {
        return (int) Math.min(blksize, size - offsetOf(block));
    }

    public long deadline() {
        return deadline;
    }

    public boolean isDone() {
        return phase == Phase.DONE;
    }

    /** Whether the data phase started (ACK 0 of the OACK, or no OACK at all). */
    public boolean dataStarted() {
        return phase == Phase.SENDING || (phase == Phase.DONE && highestSent > 0);
    }

    public long lastBlock() {
        return lastBlock;
    }

    /** Blocks sent more than once so far. */
    public long retransmits() {
        return retransmits;
    }

    /** Bytes the client acknowledged. */
    public long bytesAcked() {
        return Math.min(size, Math.max(0, (base - 1) * blksize));
    }

    public int blksize() {
        return blksize;
    }

    public int window() {
        return window;
    }
}
