package io.chainboot.tftp.transfer;

/** What the socket adapter must do after feeding an input to a {@link ReadTransfer}. */
public enum Step {
    /** Send (again) the OACK. */
    SEND_OACK,
    /** Send DATA blocks {@link ReadTransfer#sendFrom()}..{@link ReadTransfer#sendTo()} (absolute numbers). */
    SEND_WINDOW,
    /** Nothing to send (duplicate or stale ACK: RFC 1350 fix for the Sorcerer's Apprentice). */
    IGNORE,
    /** The last block was acknowledged. */
    COMPLETED,
    /** The client stopped after the OACK (PXE tsize probe): normal, not a failure. */
    PROBE_ENDED,
    /** No answer after all retries. */
    TIMED_OUT,
    /** The client sent an ERROR during the data phase. */
    CLIENT_ABORTED
}
