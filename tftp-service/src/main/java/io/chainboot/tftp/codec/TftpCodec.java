package io.chainboot.tftp.codec;

import io.chainboot.events.Decoded;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Pure TFTP codec: bytes to {@link TftpPacket} and back. No I/O. Decoding never throws; bad
 * input comes back as {@link Decoded.Invalid} with the reason.
 *
 * <p>Wire formats: RFC 1350 §5 (RRQ/WRQ/DATA/ACK/ERROR), RFC 2347 §2 (options appended to
 * RRQ/WRQ, OACK). Strings are NUL-terminated netascii; option names are case-insensitive and
 * are lower-cased here.
 */
public final class TftpCodec {
    /** Largest datagram payload TFTP can use: 65464 blksize (RFC 2348) + 4 header bytes. */
    public static final int MAX_PACKET = 65468;

    private TftpCodec() {
    }

    /** Decodes the remaining bytes of {@code buf} (position..limit); the buffer position is not moved. */
    public static Decoded<TftpPacket> decode(ByteBuffer buf) {
        int pos = buf.position();
        int len = buf.remaining();
        if (len < 2) {
            return Decoded.invalid("packet shorter than an opcode (" + len + " bytes)");
        }
        int op = ((buf.get(pos) & 0xFF) << 8) | (buf.get(pos + 1) & 0xFF);
        Opcode opcode = Opcode.of(op);
        if (opcode == null) {
            return Decoded.invalid("unknown opcode " + op);
        }
        int end = pos + len;
        int p = pos + 2;
        switch (opcode) {
            case RRQ:
            case WRQ:
                return decodeRequest(buf, opcode, p, end);
            case DATA: {
                if (len < 4) {
                    return Decoded.invalid("DATA shorter than 4 bytes");
                }
                int block = u16(buf, p);
                byte[] payload = new byte[len - 4];
                for (int i = 0; i < payload.length; i++) {
                    payload[i] = buf.get(p + 2 + i);
                }
                return Decoded.valid(new TftpPacket.Data(block, payload));
            }
            case ACK:
                if (len != 4) {
                    // RFC 1350 fixes ACK at 4 bytes; some stacks pad, which we tolerate only as trailing bytes
                    if (len < 4) {
                        return Decoded.invalid("ACK shorter than 4 bytes");
                    }
                }
                return Decoded.valid(new TftpPacket.Ack(u16(buf, p)));
            case ERROR: {
                if (len < 4) {
                    return Decoded.invalid("ERROR shorter than 4 bytes");
                }
                int code = u16(buf, p);
                int q = p + 2;
                int nul = indexOfNul(buf, q, end);
                // A missing terminator is common in the wild; take the rest as the message.
                String msg = string(buf, q, nul < 0 ? end : nul);
                return Decoded.valid(new TftpPacket.Error(code, msg));
            }
            case OACK: {
                Map<String, String> opts = new LinkedHashMap<>();
                String bad = readOptions(buf, p, end, opts);
                if (bad != null) {
                    return Decoded.invalid("OACK: " + bad);
                }
                return Decoded.valid(new TftpPacket.OptionAck(opts));
            }
            default:
                return Decoded.invalid("unknown opcode " + op);
        }
    }

    private static Decoded<TftpPacket> decodeRequest(ByteBuffer buf, Opcode opcode, int p, int end) {
        int nul = indexOfNul(buf, p, end);
        if (nul < 0) {
            return Decoded.invalid(opcode + ": filename not terminated");
        }
        if (nul == p) {
            return Decoded.invalid(opcode + ": empty filename");
        }
        String filename = string(buf, p, nul);
        int m = nul + 1;
        int mnul = indexOfNul(buf, m, end);
        if (mnul < 0) {
            return Decoded.invalid(opcode + ": mode not terminated");
        }
        String modeText = string(buf, m, mnul);
        TransferMode mode = TransferMode.parse(modeText);
        if (mode == null) {
            return Decoded.invalid(opcode + ": unknown mode '" + printable(modeText) + "'");
        }
        Map<String, String> opts = new LinkedHashMap<>();
        String bad = readOptions(buf, mnul + 1, end, opts);
        if (bad != null) {
            return Decoded.invalid(opcode + ": " + bad);
        }
        return Decoded.valid(opcode == Opcode.RRQ
                ? new TftpPacket.ReadRequest(filename, mode, opts)
                : new TftpPacket.WriteRequest(filename, mode, opts));
    }

    /** RFC 2347 §2: pairs of NUL-terminated name and value; returns a reason when malformed. */
    private static String readOptions(ByteBuffer buf, int p, int end, Map<String, String> out) {
        while (p < end) {
            int n = indexOfNul(buf, p, end);
            if (n < 0) {
                // Some ROMs pad requests with trailing garbage after the last NUL; a name with no
                // terminator is not an option.
                return null;
            }
            if (n == p) {
                // an empty name: padding NULs, ignore the rest
                return null;
            }
            String name = string(buf, p, n).toLowerCase(Locale.ROOT);
            int v = n + 1;
            int vn = indexOfNul(buf, v, end);
            if (vn < 0) {
                return "option '" + printable(name) + "' has no terminated value";
            }
            if (out.size() >= 32) {
                return "too many options";
            }
            out.putIfAbsent(name, string(buf, v, vn));
            p = vn + 1;
        }
        return null;
    }

    /** The block number when the bytes are an ACK, else -1: the allocation-free hot path of a server. */
    public static int peekAck(ByteBuffer buf) {
        int pos = buf.position();
        if (buf.remaining() < 4 || buf.get(pos) != 0 || buf.get(pos + 1) != Opcode.ACK.code) {
            return -1;
        }
        return u16(buf, pos + 2);
    }

    public static byte[] encode(TftpPacket packet) {
        ByteBuffer out = ByteBuffer.allocate(size(packet));
        encode(packet, out);
        return out.array();
    }

    /** Writes {@code packet} at the buffer's position and advances it. */
    public static void encode(TftpPacket packet, ByteBuffer out) {
        out.putShort((short) packet.opcode().code);
        if (packet instanceof TftpPacket.ReadRequest r) {
            putString(out, r.filename());
            putString(out, r.mode().wireName());
            putOptions(out, r.options());
        } else if (packet instanceof TftpPacket.WriteRequest w) {
            putString(out, w.filename());
            putString(out, w.mode().wireName());
            putOptions(out, w.options());
        } else if (packet instanceof TftpPacket.Data d) {
            out.putShort((short) d.block());
            out.put(d.payload());
        } else if (packet instanceof TftpPacket.Ack a) {
            out.putShort((short) a.block());
        } else if (packet instanceof TftpPacket.Error e) {
            out.putShort((short) e.rawCode());
            putString(out, e.message());
        } else if (packet instanceof TftpPacket.OptionAck o) {
            putOptions(out, o.options());
        }
    }

    public static int size(TftpPacket packet) {
        int n = 2;
        if (packet instanceof TftpPacket.ReadRequest r) {
            n += strLen(r.filename()) + strLen(r.mode().wireName()) + optLen(r.options());
        } else if (packet instanceof TftpPacket.WriteRequest w) {
            n += strLen(w.filename()) + strLen(w.mode().wireName()) + optLen(w.options());
        } else if (packet instanceof TftpPacket.Data d) {
            n += 2 + d.payload().length;
        } else if (packet instanceof TftpPacket.Ack) {
            n += 2;
        } else if (packet instanceof TftpPacket.Error e) {
            n += 2 + strLen(e.message());
        } else if (packet instanceof TftpPacket.OptionAck o) {
            n += optLen(o.options());
        }
        return n;
    }

    /** Writes a DATA header (RFC 1350 §5) at absolute index 0 of {@code out}; block is taken mod 65536. */
    public static void putDataHeader(ByteBuffer out, long block) {
        out.put(0, (byte) 0);
        out.put(1, (byte) Opcode.DATA.code);
        out.put(2, (byte) (block >>> 8));
        out.put(3, (byte) block);
    }

    private static int strLen(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1).length + 1;
    }

    private static int optLen(Map<String, String> opts) {
        int n = 0;
        for (Map.Entry<String, String> e : opts.entrySet()) {
            n += strLen(e.getKey()) + strLen(e.getValue());
        }
        return n;
    }

    private static void putString(ByteBuffer out, String s) {
        out.put(s.getBytes(StandardCharsets.ISO_8859_1));
        out.put((byte) 0);
    }

    private static void putOptions(ByteBuffer out, Map<String, String> opts) {
        for (Map.Entry<String, String> e : opts.entrySet()) {
            putString(out, e.getKey());
            putString(out, e.getValue());
        }
    }

    private static int u16(ByteBuffer buf, int i) {
        return ((buf.get(i) & 0xFF) << 8) | (buf.get(i + 1) & 0xFF);
    }

    private static int indexOfNul(ByteBuffer buf, int from, int end) {
        for (int i = from; i < end; i++) {
            if (buf.get(i) == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Bytes are taken as ISO-8859-1 so every byte maps to one char and nothing is lost or replaced. */
    private static String string(ByteBuffer buf, int from, int to) {
        byte[] b = new byte[to - from];
        for (int i = 0; i < b.length; i++) {
            b[i] = buf.get(from + i);
        }
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** For log lines and reasons: control characters shown as {@code \xNN}, capped at 100 chars. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 100; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7F) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
