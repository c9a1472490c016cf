package io.chainboot.tftp.transfer;

import java.util.Map;

/**
 * The result of option negotiation (RFC 2347 §3): the values a transfer runs with, and the OACK
 * to send — empty when the client asked for nothing we accept, in which case DATA block 1 is the
 * answer (RFC 2347: "if the server does not support any of the options, it sends DATA").
 *
 * @param tsize the file size when the client asked for it (RFC 2349), else null
 */
public record Negotiated(int blksize, int windowsize, int timeoutMs, Long tsize, Map<String, String> oack) {
    public Negotiated {
        oack = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(oack));
    }

    public boolean needsOack() {
        return !oack.isEmpty();
    }
}
