package io.chainboot.dhcp.codec;

import io.chainboot.events.Decoded;

import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encapsulated sub-options: code, length, value, ended by 255 or the end of the value. Used by
 * option 43 (PXE spec 2.1 §2.4 vendor options), 82 (RFC 3046 §2.0) and 175 (iPXE).
 */
public final class SubOptions {
    private SubOptions() {
    }

    public static Decoded<Map<Integer, byte[]>> decode(byte[] v) {
        Map<Integer, byte[]> out = new LinkedHashMap<>();
        int i = 0;
        while (i < v.length) {
            int code = v[i] & 0xFF;
            if (code == 255) {
                break;
            }
            if (code == 0) {
                i++;
                continue;
            }
            if (i + 1 >= v.length) {
                return Decoded.invalid("sub-option " + code + " has no length");
            }
            int len = v[i + 1] & 0xFF;
            if (i + 2 + len > v.length) {
                return Decoded.invalid("sub-option " + code + " length " + len + " runs past its option");
            }
            byte[] val = new byte[len];
            System.arraycopy(v, i + 2, val, 0, len);
            out.put(code, val);
            i += 2 + len;
        }
        return Decoded.valid(out);
    }

    /** Encodes sub-options; {@code terminate} adds the 255 end marker (PXE option 43 wants it). */
    public static byte[] encode(Map<Integer, byte[]> subs, boolean terminate) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        subs.forEach((code, val) -> {
            if (val.length > 255) {
                throw new IllegalArgumentException("sub-option " + code + " longer than 255 bytes");
            }
            out.write(code);
            out.write(val.length);
            out.writeBytes(val);
        });
        if (terminate) {
            out.write(255);
        }
        return out.toByteArray();
    }
}
