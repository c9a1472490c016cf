package io.chainboot.tftp.files;

import java.nio.ByteBuffer;

/**
 * netascii translation for sending (RFC 1350 §1 → RFC 764 Telnet NVT): a line feed becomes CR LF
 * and a bare carriage return becomes CR NUL. Done once per file version, not per transfer.
 */
public final class Netascii {
    private Netascii() {
    }

    public static ByteBuffer encode(ByteBuffer src) {
        ByteBuffer in = src.duplicate();
        long extra = 0;
        for (int i = in.position(); i < in.limit(); i++) {
            byte b = in.get(i);
            if (b == '\n' || b == '\r') {
                extra++;
            }
        }
        long size = in.remaining() + extra;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("netascii form larger than 2 GiB");
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) size);
        while (in.hasRemaining()) {
            byte b = in.get();
            if (b == '\n') {
                out.put((byte) '\r').put((byte) '\n');
            } else if (b == '\r') {
                out.put((byte) '\r').put((byte) 0);
            } else {
                out.put(b);
            }
        }
        out.flip();
        return out;
    }
}
