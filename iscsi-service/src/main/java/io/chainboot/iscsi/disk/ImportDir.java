package io.chainboot.iscsi.disk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where {@code POST /api/images/{name}?path=} may read from: only files inside the configured
 * import directory ({@code chainboot.iscsi.import-dir}). The service runs as root, so this is
 * what stops {@code ?path=/etc/shadow}: the path is resolved against the directory, normalised,
 * and its real path (symbolic links followed) must still be inside the directory's real path.
 */
public final class ImportDir {
    private ImportDir() {
    }

    /** A path that resolves outside the import directory (answered 403). */
    public static final class Outside extends IllegalArgumentException {
        Outside(String message) {
            super(message);
        }
    }

    /**
     * The file {@code given} names: a name relative to {@code dir}, or an absolute path inside it.
     * A missing file or a directory is for the store to refuse (400); a blank {@code given} is 400 here.
     */
    public static Path resolve(Path dir, String given) throws IOException {
        if (given == null || given.isBlank()) {
            throw new IllegalArgumentException("path: query parameter 'path' is required (a file in the import directory "
                    + dir + ")");
        }
        if (given.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("path: contains a NUL character");
        }
        Path base = dir.toAbsolutePath().normalize();
        Path p = base.resolve(given).normalize();
        if (!p.startsWith(base)) {
            throw new Outside("path: '" + given + "' is outside the import directory " + base);
        }
        if (!Files.isDirectory(base)) {
            throw new IllegalArgumentException("path: the import directory " + base + " does not exist");
        }
        if (Files.exists(p)) {
            Path real = p.toRealPath();
            if (!real.startsWith(base.toRealPath())) {
                throw new Outside("path: '" + given + "' leads outside the import directory " + base + " (symbolic link)");
            }
            return real;
        }
        return p;
    }
}
