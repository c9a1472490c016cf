package io.chainboot.dhcp.ha;

import io.chainboot.events.Decoded;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One record on {@code chainboot.dhcp-ha}: key = {@code dhcp-<index>}, value = the text
 * {@code <index> <sent epoch millis> <instance name>}. Pure codec.
 */
public record Heartbeat(int index, Instant sentAt, String instance) {
    public String key() {
        return "dhcp-" + index;
    }

    public byte[] encode() {
        return (index + " " + sentAt.toEpochMilli() + " " + instance).getBytes(StandardCharsets.UTF_8);
    }

    public static Decoded<Heartbeat> decode(byte[] value) {
        if (value == null) {
            return Decoded.invalid("tombstone");
        }
        String[] f = new String(value, StandardCharsets.UTF_8).split(" ", 3);
        if (f.length < 3) {
            return Decoded.invalid("heartbeat needs '<index> <millis> <instance>'");
        }
        try {
            return Decoded.valid(new Heartbeat(Integer.parseInt(f[0]), Instant.ofEpochMilli(Long.parseLong(f[1])), f[2]));
        } catch (NumberFormatException e) {
            return Decoded.invalid("heartbeat index or time is not a number: " + e.getMessage());
        }
    }
}
