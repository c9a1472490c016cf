package io.chainboot.iscsi.login;

import io.chainboot.events.Decoded;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Text key=value pairs (RFC 7143 §6.1): UTF-8, each pair terminated by a NUL, keys up to 63 bytes,
 * values up to 255 bytes (8192 for a few), no key repeated. Pure.
 */
public final class TextKeys {
    public static final int MAX_KEY = 63;
    public static final int MAX_VALUE = 8192;

    private TextKeys() {
    }

    public static Decoded<Map<String, String>> parse(ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        return parse(bytes);
    }

    public static Decoded<Map<String, String>> parse(byte[] bytes) {
        Map<String, String> out = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == 0) {
                if (i == start) { // empty pair: trailing NUL padding
                    start = i + 1;
                    continue;
                }
                String pair = new String(bytes, start, i - start, StandardCharsets.UTF_8);
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    return Decoded.invalid("text key without '=': '" + printable(pair) + "'");
                }
                String key = pair.substring(0, eq);
                String value = pair.substring(eq + 1);
                if (key.length() > MAX_KEY) {
                    return Decoded.invalid("text key longer than 63 bytes");
                }
                if (value.length() > MAX_VALUE) {
                    return Decoded.invalid("text value longer than 8192 bytes");
                }
                for (int k = 0; k < key.length(); k++) {
                    char c = key.charAt(k);
                    if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '+' || c == '@' || c == '_')) {
                        return Decoded.invalid("illegal character in text key '" + printable(key) + "'");
                    }
                }
                if (out.put(key, value) != null) {
                    return Decoded.invalid("text key repeated: " + key);
                }
                start = i + 1;
            }
        }
        return Decoded.valid(out);
    }

    public static byte[] encode(Map<String, String> keys) {
        StringBuilder b = new StringBuilder();
        keys.forEach((k, v) -> b.append(k).append('=').append(v).append('\0'));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String printable(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
