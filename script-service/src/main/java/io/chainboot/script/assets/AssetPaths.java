package io.chainboot.script.assets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Maps a request path under {@code /assets/} to a regular file inside the assets directory, or
 * nothing: percent-decoding first (RFC 3986 §2.1), then refusing {@code ..}, empty and hidden
 * segments, backslashes and NUL, and finally checking the real path (symbolic links resolved) is
 * still inside the root — so no spelling of a path reaches a file outside it.
 */
public final class AssetPaths {
    private final Path root;

    public AssetPaths(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** {@code rawPath} is the part after {@code /assets/}, still percent-encoded. */
    public Optional<Path> resolve(String rawPath) {
        String path = percentDecode(rawPath);
        if (path == null || path.isEmpty() || path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0 || path.startsWith("/")) {
            return Optional.empty();
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.startsWith(".")) {
                return Optional.empty();
            }
        }
        Path candidate = root.resolve(path).normalize();
        if (!candidate.startsWith(root)) {
            return Optional.empty();
        }
        try {
            Path real = candidate.toRealPath();
            Path realRoot = root.toRealPath();
            if (!real.startsWith(realRoot) || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS) || !Files.isReadable(real)) {
                return Optional.empty();
            }
            return Optional.of(real);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Strict %XX decoding as UTF-8; null for a malformed escape. '+' stays '+' (this is a path, not a form). */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
