package io.chainboot.infra.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The launcher's state directory ({@code --state}, docs/running.md): its layout, the secrets
 * generated once into it, and the files through which {@code ./chainboot} talks to the running
 * supervisor ({@code run/result}, {@code run/restart.request}, {@code run/restart.result}).
 */
final class StateDirectory {
    /** {@code run/result}: "ready\n<summary>" or "failed <line>[\n<problem>…]", read by {@code ./chainboot up}. */
    static final String RESULT_FILE = "result";
    /** {@code run/restart.request}: a component name written by {@code ./chainboot restart NAME}. */
    static final String RESTART_REQUEST = "restart.request";
    /** {@code run/restart.result}: "ok <summary>" or "failed <one line>", the answer to a restart request. */
    static final String RESTART_RESULT = "restart.result";
    private static final Set<PosixFilePermission> OWNER_ONLY = Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final List<String> DIRECTORIES = List.of("logs", "run", "dhcp", "tftp", "profiles", "assets",
            "iscsi/disks", "iscsi/images");
    /** Debian's ipxe package: what the TFTP root serves unless the user put their own build there. */
    private static final Path IPXE = Path.of("/usr/lib/ipxe");
    private static final List<String> IPXE_FILES = List.of("undionly.kpxe", "ipxe.efi", "snponly.efi");
    /**
     * The Secure Boot path (docs/running.md): Debian's signed shim and signed network GRUB, under
     * the names shim and the DHCP boot table use (packages shim-signed, grub-efi-amd64-signed).
     */
    private static final Map<Path, String> SECURE_BOOT_FILES = Map.of(
            Path.of("/usr/lib/shim/shimx64.efi.signed"), "shimx64.efi",
            Path.of("/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed"), "grubx64.efi");

    private final Path root;

    StateDirectory(Path root) {
        this.root = root;
    }

    Path path() {
        return root;
    }

    Path logs() {
        return root.resolve("logs");
    }

    Path run() {
        return root.resolve("run");
    }

    static FileAttribute<Set<PosixFilePermission>> ownerOnly() {
        return PosixFilePermissions.asFileAttribute(OWNER_ONLY);
    }

    /** Creates the layout and copies Debian's iPXE builds into the TFTP root (never over a user's file). */
    void prepare() throws IOException {
        for (String d : DIRECTORIES) {
            Files.createDirectories(root.resolve(d));
        }
        for (String f : IPXE_FILES) {
            copyIfAbsent(IPXE.resolve(f), f);
        }
        for (Map.Entry<Path, String> f : SECURE_BOOT_FILES.entrySet()) {
            copyIfAbsent(f.getKey(), f.getValue());
        }
    }

    /** Copies a packaged boot file into the TFTP root as {@code name}, never over a user's file. */
    private void copyIfAbsent(Path src, String name) throws IOException {
        Path dst = root.resolve("tftp").resolve(name);
        if (Files.isReadable(src) && !Files.exists(dst)) {
            Files.copy(src, dst); // follows the symlink: copies the build, not the link
            Supervisor.log("copied " + src + " to " + dst);
        }
    }

    /** {@code name} under the state directory: a random secret generated once into a 0600 file, then reused. */
    String secret(String name) throws IOException {
        return secret(root.resolve(name));
    }

    static String secret(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] b = new byte[24];
            new SecureRandom().nextBytes(b);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, ownerOnly());
            Files.writeString(tmp, HexFormat.of().formatHex(b) + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        }
        return Files.readString(file).trim();
    }

    /** {@code logs/NAME} pointing at a component's own log (Kafka's and PostgreSQL's live in their data directories). */
    void linkLog(String name, Path target) {
        Path link = logs().resolve(name);
        try {
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, link.getParent().relativize(target));
            }
        } catch (IOException e) {
            Supervisor.log("cannot link " + link + ": " + e.getMessage());
        }
    }

    /** The machines file {@code up} was given (copied here by {@code ./chainboot}), if any. */
    Optional<Path> machinesFile() {
        return Optional.of(root.resolve("machines.yaml")).filter(Files::isRegularFile);
    }

    /** Writes {@code run/result} atomically. */
    void writeResult(String text) throws IOException {
        writeAtomically(RESULT_FILE, text.endsWith("\n") ? text : text + "\n");
    }

    /** A pending restart request (consumed), if any. */
    Optional<String> takeRestartRequest() {
        Path req = run().resolve(RESTART_REQUEST);
        try {
            if (!Files.exists(req)) {
                return Optional.empty();
            }
            String what = Files.readString(req).strip();
            Files.deleteIfExists(req);
            return Optional.of(what);
        } catch (IOException e) {
            Supervisor.log("cannot read " + req + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    void answerRestart(String answer) {
        try {
            writeAtomically(RESTART_RESULT, answer + "\n");
        } catch (IOException e) {
            Supervisor.log("cannot write " + run().resolve(RESTART_RESULT) + ": " + e.getMessage());
        }
    }

    /** After a stop: nothing left that says a supervisor runs. */
    void clearRunFiles() {
        try {
            Files.deleteIfExists(StateFile.path(root));
            Files.deleteIfExists(run().resolve(RESULT_FILE));
            Files.deleteIfExists(run().resolve("supervisor.pid"));
        } catch (IOException e) {
            Supervisor.log("cannot clean run files: " + e.getMessage());
        }
    }

    private void writeAtomically(String name, String text) throws IOException {
        Files.createDirectories(run());
        Path tmp = run().resolve(name + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, run().resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
