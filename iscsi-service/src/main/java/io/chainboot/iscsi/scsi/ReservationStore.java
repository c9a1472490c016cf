package io.chainboot.iscsi.scsi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Where a logical unit's persistent reservations live between restarts (SPC-4 §5.12.4, "persist through
 * power loss"). {@link #file} keeps them in a small text file beside the disk image, replaced atomically
 * (written to a temporary file, forced, renamed over the old one, directory forced) — the same discipline
 * as the overlays' maps, so a crash leaves either the old or the new state, never half of one.
 */
interface ReservationStore {

    /** The state saved last, or empty when none was ever saved. */
    Optional<String> load() throws IOException;

    /** Saves the state durably before returning. */
    void save(String state) throws IOException;

    /** Keeps nothing: reservations last as long as the process (tests, throwaway disks). */
    ReservationStore MEMORY = new ReservationStore() {
        @Override
        public Optional<String> load() {
            return Optional.empty();
        }

        @Override
        public void save(String state) {
        }
    };

    static ReservationStore file(Path file) {
        return new ReservationStore() {
            @Override
            public Optional<String> load() throws IOException {
                try {
                    return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
                } catch (NoSuchFileException e) {
                    return Optional.empty();
                }
            }

            @Override
            public void save(String state) throws IOException {
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    ByteBuffer b = ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8));
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    ch.force(true);
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
                Path dir = file.toAbsolutePath().getParent();
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true);
                } catch (IOException e) {
                    // not every file system lets a directory be opened; the file itself was forced
                }
            }

            @Override
            public String toString() {
                return file.toString();
            }
        };
    }
}
