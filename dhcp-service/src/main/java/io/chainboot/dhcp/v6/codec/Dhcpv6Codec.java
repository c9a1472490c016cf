package io.chainboot.dhcp.v6.codec;

import io.chainboot.events.Decoded;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pure DHCPv6 codec for client/server messages (RFC 8415 §8: msg-type, transaction-id, options; §21.1
 * option format). No I/O: bytes in, {@link Decoded} out; a message in, bytes out. Relay-forward and
 * relay-reply (§9) are answered {@link Decoded.Invalid} ("not served"), as is anything truncated.
 */
public final class Dhcpv6Codec {
    /** More option instances than this in one message is a flood (a 1500-byte datagram holds at most ~370). */
    public static final int MAX_OPTIONS = 400;

    private Dhcpv6Codec() {
    }

    public static Decoded<Dhcpv6Message> decode(byte[] buf) {
        return decode(buf, 0, buf.length);
    }

    public static Decoded<Dhcpv6Message> decode(byte[] buf, int offset, int length) {
        if (length < 4) {
            return Decoded.invalid("truncated: " + length + " bytes, a DHCPv6 message has at least 4");
        }
        int code = buf[offset] & 0xFF;
        Optional<Dhcpv6MessageType> type = Dhcpv6MessageType.of(code);
        if (type.isEmpty()) {
            return Decoded.invalid("unknown DHCPv6 message type " + code);
        }
        if (type.get() == Dhcpv6MessageType.RELAY_FORW || type.get() == Dhcpv6MessageType.RELAY_REPL) {
            return Decoded.invalid("relay message (" + type.get() + "): not served");
        }
        int xid = ((buf[offset + 1] & 0xFF) << 16) | ((buf[offset + 2] & 0xFF) << 8) | (buf[offset + 3] & 0xFF);
        Optional<List<Dhcpv6Option>> options = options(buf, offset + 4, offset + length);
        if (options.isEmpty()) {
            return Decoded.invalid("malformed options (an option runs past the end, or more than " + MAX_OPTIONS + ")");
        }
        return Decoded.valid(new Dhcpv6Message(type.get(), xid, options.get()));
    }

    /** Options from {@code from} to {@code to} (also the sub-options of an IA); empty if one runs past the end. */
    static Optional<List<Dhcpv6Option>> options(byte[] b, int from, int to) {
        List<Dhcpv6Option> out = new ArrayList<>();
        int i = from;
        while (i < to) {
            if (i + 4 > to || out.size() >= MAX_OPTIONS) {
                return Optional.empty();
            }
            int code = Dhcpv6Message.u16(b, i);
            int len = Dhcpv6Message.u16(b, i + 2);
            if (i + 4 + len > to) {
                return Optional.empty();
            }
            byte[] data = new byte[len];
            System.arraycopy(b, i + 4, data, 0, len);
            out.add(new Dhcpv6Option(code, data));
            i += 4 + len;
        }
        return Optional.of(out);
    }

    public static byte[] encode(Dhcpv6Message m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        out.write(m.type().code());
        out.write((m.transactionId() >>> 16) & 0xFF);
        out.write((m.transactionId() >>> 8) & 0xFF);
        out.write(m.transactionId() & 0xFF);
        for (Dhcpv6Option o : m.options()) {
            writeOption(out, o.code(), o.data());
        }
        return out.toByteArray();
    }

    /** One option in wire form (for building IA_NA contents too). */
    public static byte[] option(int code, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 4);
        writeOption(out, code, data);
        return out.toByteArray();
    }

    private static void writeOption(ByteArrayOutputStream out, int code, byte[] data) {
        out.write(code >>> 8);
        out.write(code & 0xFF);
        out.write(data.length >>> 8);
        out.write(data.length & 0xFF);
        out.write(data, 0, data.length);
    }
}
