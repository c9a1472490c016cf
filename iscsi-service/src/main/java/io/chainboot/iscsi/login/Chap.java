package io.chainboot.iscsi.login;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * CHAP with MD5 (RFC 1994 §4.1, as used by iSCSI in RFC 7143 §12.1.3): response =
 * MD5(identifier || secret || challenge). Binary values are sent as {@code 0x}hex or {@code 0b}base64
 * (RFC 7143 §6.1 binary-value).
 */
public final class Chap {
    public static final String ALGORITHM_MD5 = "5";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Chap() {
    }

    public static byte[] newChallenge() {
        byte[] c = new byte[16];
        RANDOM.nextBytes(c);
        return c;
    }

    public static int newIdentifier() {
        return RANDOM.nextInt(256);
    }

    public static byte[] response(int identifier, String secret, byte[] challenge) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update((byte) identifier);
            md5.update(secret.getBytes(StandardCharsets.UTF_8));
            md5.update(challenge);
            return md5.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean verify(int identifier, String secret, byte[] challenge, byte[] received) {
        return MessageDigest.isEqual(response(identifier, secret, challenge), received);
    }

    public static String hex(byte[] b) {
        return "0x" + HexFormat.of().formatHex(b);
    }

    /** Decodes a binary-value: 0x/0X hex or 0b/0B base64. */
    public static Optional<byte[]> binary(String value) {
        if (value == null || value.length() < 3) {
            return Optional.empty();
        }
        String prefix = value.substring(0, 2);
        String body = value.substring(2);
        try {
            if (prefix.equalsIgnoreCase("0x")) {
                if ((body.length() & 1) == 1) {
                    body = "0" + body;
                }
                return Optional.of(HexFormat.of().parseHex(body));
            }
            if (prefix.equalsIgnoreCase("0b")) {
                return Optional.of(Base64.getDecoder().decode(body));
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** CHAP_I: a decimal (or 0x hex) number 0..255. */
    public static Optional<Integer> identifier(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            int v = value.startsWith("0x") || value.startsWith("0X")
                    ? Integer.parseInt(value.substring(2), 16) : Integer.parseInt(value);
            return v >= 0 && v <= 255 ? Optional.of(v) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
