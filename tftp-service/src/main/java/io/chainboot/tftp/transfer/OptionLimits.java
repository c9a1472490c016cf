package io.chainboot.tftp.transfer;

/**
 * What the server is willing to grant.
 *
 * @param maxBlksize     cap for RFC 2348 blksize (8..65464), normally MTU - 32 (IPv4 20 + UDP 8 + TFTP 4)
 * @param maxWindow      cap for RFC 7440 windowsize (1..64 here)
 * @param defaultTimeoutMs retransmission timeout when the client does not ask one (RFC 2349)
 */
public record OptionLimits(int maxBlksize, int maxWindow, int defaultTimeoutMs) {
    public static final int MIN_BLKSIZE = 8;
    public static final int MAX_BLKSIZE = 65464;
    public static final int MAX_WINDOW = 64;

    public OptionLimits {
        if (maxBlksize < 512 || maxBlksize > MAX_BLKSIZE) {
            throw new IllegalArgumentException("max blksize must be 512..65464, not " + maxBlksize);
        }
        if (maxWindow < 1 || maxWindow > MAX_WINDOW) {
            throw new IllegalArgumentException("max window must be 1..64, not " + maxWindow);
        }
        if (defaultTimeoutMs < 1) {
            throw new IllegalArgumentException("timeout must be positive");
        }
    }

    /** The blksize cap for an MTU: MTU minus IPv4 (20), UDP (8) and TFTP DATA (4) headers. */
    public static int blksizeForMtu(int mtu) {
        return Math.max(512, Math.min(MAX_BLKSIZE, mtu - 32));
    }
}
