package io.chainboot.tftp.files;

import io.chainboot.tftp.codec.ErrorCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The read-only directory boot files are served from, and the one rule that maps a requested name
 * to a file in it.
 *
 * <p>Mapping: {@code \} is a separator (PXE ROMs send {@code \boot\x.efi}); a leading separator is
 * relative to the root (like tftpd-hpa {@code -s}); empty and {@code .} segments are dropped.
 * Refused with ERROR 2: {@code ..} segments, NUL or other control characters, drive letters
 * ({@code C:}), and anything whose real path (symlinks resolved) is outside the root. A name that
 * does not exist, or is not a regular readable file, is ERROR 1.
 */
public final class BootFileRoot {
    private final Path root;

    public BootFileRoot(Path root) throws IOException {
        this.root = root.toRealPath();
        if (!Files.isDirectory(this.root)) {
            throw new IOException("TFTP root is not a directory: " + root);
        }
    }

    public Path path() {
        return root;
    }

    public Resolution resolve(String requested) {
        if (requested.isEmpty()) {
            return new Resolution.Refused(ErrorCode.FILE_NOT_FOUND, "empty file name");
        }
        StringBuilder rel = new StringBuilder();
        int segStart = 0;
        String name = requested.replace('\\', '/');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return new Resolution.Refused(ErrorCode.ACCESS_VIOLATION, "control character in file name");
            }
        }
        if (name.length() >= 2 && name.charAt(1) == ':' && Character.isLetter(name.charAt(0))) {
            return new Resolution.Refused(ErrorCode.ACCESS_VIOLATION, "drive letter in file name");
        }
        for (String seg : name.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                return new Resolution.Refused(ErrorCode.ACCESS_VIOLATION, "'..' in file name");
            }
            if (rel.length() > 0) {
                rel.append('/');
            }
            rel.append(seg);
        }
        if (rel.length() == 0) {
            return new Resolution.Refused(ErrorCode.FILE_NOT_FOUND, "no file name");
        }
        Path candidate;
        try {
            candidate = root.resolve(rel.toString()).normalize();
        } catch (RuntimeException e) { // InvalidPathException
            return new Resolution.Refused(ErrorCode.ACCESS_VIOLATION, "invalid file name");
        }
        if (!candidate.startsWith(root)) {
            return new Resolution.Refused(ErrorCode.ACCESS_VIOLATION, "outside the root");
        }
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            return new Resolution.Refused(ErrorCode.FILE_NOT_FOUND, "file not found");
        } catch (IOException | SecurityException e) {
            return new Resolution.Refused(ErrorCode.ACCESS_VIOLATION, "cannot resolve: " + e.getClass().getSimpleName());
        }
        if (!real.startsWith(root)) {
            return new Resolution.Refused(ErrorCode.ACCESS_VIOLATION, "symlink leads outside the root");
        }
        if (!Files.isRegularFile(real)) {
            return new Resolution.Refused(ErrorCode.FILE_NOT_FOUND, "not a regular file");
        }
        if (!Files.isReadable(real)) {
            return new Resolution.Refused(ErrorCode.ACCESS_VIOLATION, "not readable");
        }
        return new Resolution.Found(real, rel.toString());
    }
}
