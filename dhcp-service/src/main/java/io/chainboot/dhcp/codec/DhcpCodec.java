package io.chainboot.dhcp.codec;

import io.chainboot.events.Decoded;
import io.chainboot.events.Ipv4Address;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Pure DHCPv4 codec (RFC 2131 §2 message format, RFC 2132 options, RFC 3396 long options).
 * No I/O: bytes in, {@link Decoded} out; a packet in, bytes out.
 */
public final class DhcpCodec {
    /** RFC 2131 §2: fixed header up to and including {@code file}. */
    public static final int HEADER_LENGTH = 236;
    /** RFC 2131 §3: the magic cookie 99.130.83.99. */
    public static final int MAGIC_COOKIE = 0x63825363;
    /** RFC 1542 §2.1: relays may drop BOOTP messages shorter than 300 bytes; replies are padded to it. */
    public static final int MIN_BOOTP_LENGTH = 300;
    /** RFC 2131 §2: every client must accept a 576-byte IP datagram, i.e. 548 bytes of DHCP. */
    public static final int DEFAULT_MAX_DHCP_LENGTH = 576 - 28;
    /** More option instances than this is an option flood (a 1500-byte packet holds at most ~750 2-byte options). */
    public static final int MAX_OPTION_INSTANCES = 400;

    private static final int SNAME_OFFSET = 44;
    private static final int FILE_OFFSET = 108;

    private DhcpCodec() {
    }

    public static Decoded<DhcpPacket> decode(byte[] buf) {
        return decode(buf, 0, buf.length);
    }

    public static Decoded<DhcpPacket> decode(byte[] buf, int offset, int length) {
        if (length < HEADER_LENGTH + 4) {
            return Decoded.invalid("truncated: " + length + " bytes, a DHCP message has at least 240");
        }
        byte[] p = Arrays.copyOfRange(buf, offset, offset + length);
        int op = p[0] & 0xFF;
        if (op != DhcpPacket.BOOTREQUEST && op != DhcpPacket.BOOTREPLY) {
            return Decoded.invalid("bad op " + op);
        }
        int hlen = p[2] & 0xFF;
        if (hlen > 16) {
            return Decoded.invalid("hlen " + hlen + " > 16");
        }
        if (u32(p, HEADER_LENGTH) != MAGIC_COOKIE) {
            return Decoded.invalid("no DHCP magic cookie (plain BOOTP is not served)");
        }
        DhcpOptions.Builder options = DhcpOptions.builder();
        int[] instances = {0};
        String err = parseOptions(p, HEADER_LENGTH + 4, p.length, options, instances, true);
        if (err != null) {
            return Decoded.invalid(err);
        }
        DhcpOptions parsed = options.build();
        String file = cString(p, FILE_OFFSET, 128);
        String sname = cString(p, SNAME_OFFSET, 64);
        int overload = parsed.u8(OptionCode.OVERLOAD).orElse(0);
        if (parsed.has(OptionCode.OVERLOAD) && (overload < 1 || overload > 3)) {
            return Decoded.invalid("bad option overload value " + parsed.raw(OptionCode.OVERLOAD).length + "/" + overload);
        }
        // RFC 2131 §4.1: options continue in 'file' first, then 'sname'
        if ((overload & 1) != 0) {
            err = parseOptions(p, FILE_OFFSET, FILE_OFFSET + 128, options, instances, false);
            if (err != null) {
                return Decoded.invalid("in overloaded file: " + err);
            }
            file = "";
        }
        if ((overload & 2) != 0) {
            err = parseOptions(p, SNAME_OFFSET, SNAME_OFFSET + 64, options, instances, false);
            if (err != null) {
                return Decoded.invalid("in overloaded sname: " + err);
            }
            sname = "";
        }
        if (overload != 0) {
            options.remove(OptionCode.OVERLOAD);
            parsed = options.build();
        }
        byte[] chaddr = Arrays.copyOfRange(p, 28, 44);
        return Decoded.valid(new DhcpPacket(op, p[1] & 0xFF, hlen, p[3] & 0xFF, u32(p, 4), u16(p, 8), u16(p, 10),
                ip(p, 12), ip(p, 16), ip(p, 20), ip(p, 24), chaddr, sname, file, parsed));
    }

    /** Returns an error text, or null. {@code main}: the options field, where 52 may appear. */
    private static String parseOptions(byte[] p, int from, int to, DhcpOptions.Builder out, int[] instances,
                                       boolean main) {
        int i = from;
        while (i < to) {
            int code = p[i] & 0xFF;
            if (code == OptionCode.END) {
                return null;
            }
            if (code == OptionCode.PAD) {
                i++;
                continue;
            }
            if (i + 1 >= to) {
                return "option " + code + " has no length byte";
            }
            int len = p[i + 1] & 0xFF;
            if (i + 2 + len > to) {
                return "option " + code + " length " + len + " runs past the end";
            }
            if (++instances[0] > MAX_OPTION_INSTANCES) {
                return "option flood: more than " + MAX_OPTION_INSTANCES + " options";
            }
            if (code == OptionCode.OVERLOAD && !main) {
                return "option overload (52) inside an overloaded field: loop";
            }
            if (code == OptionCode.OVERLOAD && out.has(OptionCode.OVERLOAD)) {
                return "option overload (52) given twice";
            }
            out.appendOwned(code, Arrays.copyOfRange(p, i + 2, i + 2 + len));
            i += 2 + len;
        }
        return null; // a missing END is tolerated (many clients omit it)
    }

    /** Encodes with the RFC 2131 default limit of 576-byte datagrams. */
    public static byte[] encode(DhcpPacket m) {
        return encode(m, DEFAULT_MAX_DHCP_LENGTH);
    }

    /**
     * Encodes {@code m}. Options that do not fit in {@code maxLength} (the client's option 57 minus
     * IP/UDP headers) overflow into {@code file}, then {@code sname}, when those are unused (RFC 2131
     * §4.1, option 52); the result is padded to the 300-byte BOOTP minimum (RFC 1542 §2.1).
     */
    public static byte[] encode(DhcpPacket m, int maxLength) {
        List<byte[]> chunks = optionChunks(m.options());
        int room = Math.max(0, maxLength - HEADER_LENGTH - 4 - 1);
        int total = chunks.stream().mapToInt(c -> c.length).sum();
        ByteArrayOutputStream main = new ByteArrayOutputStream();
        ByteArrayOutputStream fileArea = new ByteArrayOutputStream();
        ByteArrayOutputStream snameArea = new ByteArrayOutputStream();
        int overload = 0;
        if (total <= room) {
            chunks.forEach(main::writeBytes);
        } else {
            boolean fileFree = m.file().isEmpty();
            boolean snameFree = m.sname().isEmpty();
            int mainRoom = room - 3; // the overload option itself
            for (byte[] c : chunks) {
                if (main.size() + c.length <= mainRoom) {
                    main.writeBytes(c);
                } else if (fileFree && fileArea.size() + c.length <= 127) {
                    fileArea.writeBytes(c);
                    overload |= 1;
                } else if (snameFree && snameArea.size() + c.length <= 63) {
                    snameArea.writeBytes(c);
                    overload |= 2;
                } else {
                    main.writeBytes(c); // nowhere else: exceed the limit rather than lose it
                }
            }
        }
        byte[] out = new byte[Math.max(MIN_BOOTP_LENGTH, HEADER_LENGTH + 4 + main.size() + (overload != 0 ? 3 : 0) + 1)];
        out[0] = (byte) m.op();
        out[1] = (byte) m.htype();
        out[2] = (byte) m.hlen();
        out[3] = (byte) m.hops();
        put32(out, 4, m.xid());
        put16(out, 8, m.secs());
        put16(out, 10, m.flags());
        put32(out, 12, m.ciaddr().value());
        put32(out, 16, m.yiaddr().value());
        put32(out, 20, m.siaddr().value());
        put32(out, 24, m.giaddr().value());
        System.arraycopy(m.chaddr(), 0, out, 28, 16);
        if ((overload & 2) != 0) {
            byte[] s = snameArea.toByteArray();
            System.arraycopy(s, 0, out, SNAME_OFFSET, s.length);
            out[SNAME_OFFSET + s.length] = (byte) OptionCode.END;
        } else {
            putString(out, SNAME_OFFSET, 64, m.sname());
        }
        if ((overload & 1) != 0) {
            byte[] f = fileArea.toByteArray();
            System.arraycopy(f, 0, out, FILE_OFFSET, f.length);
            out[FILE_OFFSET + f.length] = (byte) OptionCode.END;
        } else {
            putString(out, FILE_OFFSET, 128, m.file());
        }
        put32(out, HEADER_LENGTH, MAGIC_COOKIE);
        int i = HEADER_LENGTH + 4;
        if (overload != 0) {
            out[i++] = (byte) OptionCode.OVERLOAD;
            out[i++] = 1;
            out[i++] = (byte) overload;
        }
        byte[] o = main.toByteArray();
        System.arraycopy(o, 0, out, i, o.length);
        out[i + o.length] = (byte) OptionCode.END;
        return out;
    }

    /** One byte array per option instance; values over 255 bytes are split (RFC 3396 §6). */
    private static List<byte[]> optionChunks(DhcpOptions options) {
        List<byte[]> out = new ArrayList<>();
        for (Map.Entry<Integer, byte[]> e : options.asMap().entrySet()) {
            byte[] v = e.getValue();
            int pos = 0;
            do {
                int n = Math.min(255, v.length - pos);
                byte[] c = new byte[2 + n];
                c[0] = (byte) (int) e.getKey();
                c[1] = (byte) n;
                System.arraycopy(v, pos, c, 2, n);
                out.add(c);
                pos += n;
            } while (pos < v.length);
        }
        return out;
    }

    private static String cString(byte[] p, int off, int max) {
        int n = 0;
        while (n < max && p[off + n] != 0) {
            n++;
        }
        return new String(p, off, n, StandardCharsets.ISO_8859_1);
    }

    private static void putString(byte[] out, int off, int max, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length > max - 1) {
            throw new IllegalArgumentException("header string longer than " + (max - 1) + " bytes: " + s);
        }
        System.arraycopy(b, 0, out, off, b.length);
    }

    private static int u32(byte[] p, int i) {
        return ((p[i] & 0xFF) << 24) | ((p[i + 1] & 0xFF) << 16) | ((p[i + 2] & 0xFF) << 8) | (p[i + 3] & 0xFF);
    }

    private static int u16(byte[] p, int i) {
        return ((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF);
    }

    private static Ipv4Address ip(byte[] p, int i) {
        return new Ipv4Address(u32(p, i));
    }

    private static void put32(byte[] out, int i, int v) {
        out[i] = (byte) (v >>> 24);
        out[i + 1] = (byte) (v >>> 16);
        out[i + 2] = (byte) (v >>> 8);
        out[i + 3] = (byte) v;
    }

    private static void put16(byte[] out, int i, int v) {
        out[i] = (byte) (v >>> 8);
        out[i + 1] = (byte) v;
    }
}
