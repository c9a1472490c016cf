package io.chainboot.dhcp.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Option 77, the user class. RFC 3004 §4 defines a list of length-prefixed instances; iPXE (and
 * older Windows clients) send one bare string instead ({@code iPXE}). A value is read as RFC 3004
 * when its length prefixes consume it exactly, otherwise as one bare string.
 */
public final class UserClass {
    private UserClass() {
    }

    public static List<String> decode(byte[] v) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < v.length) {
            int len = v[i] & 0xFF;
            if (len == 0 || i + 1 + len > v.length) {
                return List.of(new String(v, StandardCharsets.ISO_8859_1));
            }
            out.add(new String(v, i + 1, len, StandardCharsets.ISO_8859_1));
            i += 1 + len;
        }
        return out;
    }
}
