package io.chainboot.tftp.transfer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decides which requested options a read transfer gets. Only options the client asked for appear
 * in the OACK (RFC 2347 §3); values outside an option's range make us ignore that option, values
 * above our cap are lowered to the cap (RFC 2348: "the server may reply with a smaller value").
 */
public final class OptionNegotiation {
    private OptionNegotiation() {
    }

    /**
     * @param requested option names lower-cased, as decoded from the RRQ
     * @param fileSize  bytes the client will receive (after netascii translation)
     */
    public static Negotiated negotiate(Map<String, String> requested, long fileSize, OptionLimits limits) {
        Map<String, String> oack = new LinkedHashMap<>();
        int blksize = 512;
        int window = 1;
        int timeoutMs = limits.defaultTimeoutMs();
        Long tsize = null;
        for (Map.Entry<String, String> e : requested.entrySet()) {
            long v = parse(e.getValue());
            switch (e.getKey()) {
                case "blksize": // RFC 2348: 8..65464 octets
                    if (v >= OptionLimits.MIN_BLKSIZE && v <= OptionLimits.MAX_BLKSIZE) {
                        blksize = (int) Math.min(v, limits.maxBlksize());
                        oack.put("blksize", Integer.toString(blksize));
                    }
                    break;
                case "tsize": // RFC 2349 §4: a read request carries 0, the OACK the size
                    if (v >= 0) {
                        tsize = fileSize;
                        oack.put("tsize", Long.toString(fileSize));
                    }
                    break;
                case "timeout": // RFC 2349 §3: 1..255 seconds
                    if (v >= 1 && v <= 255) {
                        timeoutMs = (int) v * 1000;
                        oack.put("timeout", Long.toString(v));
                    }
                    break;
                case "windowsize": // RFC 7440 §3: 1..65535 blocks
                    if (v >= 1 && v <= 65535) {
                        window = (int) Math.min(v, limits.maxWindow());
                        oack.put("windowsize", Integer.toString(window));
                    }
                    break;
                default:
                    // unknown options are ignored (RFC 2347 §3)
            }
        }
        return new Negotiated(blksize, window, timeoutMs, tsize, oack);
    }

    /** A decimal option value, or -1 when it is not one (no sign, no spaces, at most 10 digits). */
    static long parse(String s) {
        if (s.isEmpty() || s.length() > 10) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
