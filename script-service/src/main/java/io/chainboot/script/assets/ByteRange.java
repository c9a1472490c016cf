package io.chainboot.script.assets;

/**
 * A {@code Range} request header against a file of known length (RFC 9110 §14.1.2 byte ranges,
 * §14.2 Range). One range is served; a header with several ranges, or another unit, is ignored
 * and the whole file is sent, which §14.2 allows. Pure.
 */
public sealed interface ByteRange {

    /** No usable Range: send everything (200). */
    record Whole() implements ByteRange {
    }

    /** Send bytes {@code first..last} inclusive (206). */
    record Part(long first, long last) implements ByteRange {
        public long length() {
            return last - first + 1;
        }

        /** {@code Content-Range} value (RFC 9110 §14.4). */
        public String contentRange(long size) {
            return "bytes " + first + "-" + last + "/" + size;
        }
    }

    /** The range lies outside the file (416, {@code Content-Range: bytes * /size}). */
    record Unsatisfiable() implements ByteRange {
    }

    static ByteRange parse(String header, long size) {
        if (header == null) {
            return new Whole();
        }
        String h = header.strip();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return new Whole(); // unknown unit: ignore
        }
        String spec = h.substring(6).strip();
        if (spec.indexOf(',') >= 0) {
            return new Whole(); // several ranges: we answer with the whole representation
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Unsatisfiable();
        }
        String a = spec.substring(0, dash).strip();
        String b = spec.substring(dash + 1).strip();
        try {
            if (a.isEmpty()) { // suffix: the last N bytes
                if (!digits(b)) {
                    return new Unsatisfiable();
                }
                long n = Long.parseLong(b);
                if (n == 0 || size == 0) {
                    return new Unsatisfiable();
                }
                return new Part(Math.max(0, size - n), size - 1);
            }
            if (!digits(a) || (!b.isEmpty() && !digits(b))) {
                return new Unsatisfiable();
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
            if (first >= size || (!b.isEmpty() && Long.parseLong(b) < first)) {
                return new Unsatisfiable();
            }
            return new Part(first, last);
        } catch (NumberFormatException e) { // more digits than a long holds
            return new Unsatisfiable();
        }
    }

    private static boolean digits(String s) {
        return !s.isEmpty() && s.length() <= 19 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
