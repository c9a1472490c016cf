package io.chainboot.infra.launcher;

/** Dotted-quad IPv4 helpers for the launcher's arguments (strict: four decimal octets, no leading zeros). */
final class Ipv4 {
    private Ipv4() {
    }

    static boolean isValid(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)
                    || (p.length() > 1 && p.charAt(0) == '0') || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    static long toLong(String s) {
        long v = 0;
        for (String p : s.split("\\.")) {
            v = (v << 8) | Integer.parseInt(p);
        }
        return v;
    }

    static String fromLong(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }

    static boolean isNetmask(String s) {
        long m = toLong(s);
        long inverted = ~m & 0xffffffffL;
        return (inverted & (inverted + 1)) == 0;
    }

    static String maskOfPrefix(int prefix) {
        long m = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
        return fromLong(m);
    }

    static boolean sameSubnet(String a, String b, String mask) {
        long m = toLong(mask);
        return (toLong(a) & m) == (toLong(b) & m);
    }
}
