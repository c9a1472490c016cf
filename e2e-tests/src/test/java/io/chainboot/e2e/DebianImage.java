package io.chainboot.e2e;

import io.chainboot.e2e.harness.Chainboot;
import io.chainboot.e2e.harness.Cmd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The project's Debian 12 golden image, built by {@code images/debian-12/build.sh} (debootstrap from
 * deb.debian.org) or taken from its content-addressed cache ({@code /var/cache/chainboot/images},
 * or {@code -Dchainboot.image-cache=DIR}): the test never rebuilds an image whose inputs did not change.
 */
final class DebianImage {
    /** What the build needs besides root, command → Debian package. */
    static final Map<String, String> NEEDS = Map.of("debootstrap", "debootstrap", "grub-mkimage", "grub-pc-bin",
            "mke2fs", "e2fsprogs", "debugfs", "e2fsprogs", "sfdisk", "fdisk", "sha256sum", "coreutils");

    /** The built image and its SHA-256, and how long getting it took. */
    record Built(Path disk, String sha256, double seconds, boolean cached, String log) {
    }

    private DebianImage() {
    }

    /** Fails naming the Debian packages that are missing. */
    static void requireTools() {
        List<String> missing = NEEDS.entrySet().stream().filter(e -> !Cmd.onPath(e.getKey()))
                .map(e -> e.getKey() + " (" + e.getValue() + ")").sorted().toList();
        if (!missing.isEmpty() || !Files.exists(Path.of("/usr/lib/grub/i386-pc/boot.img"))) {
            throw new IllegalStateException("the Debian golden image build needs: " + String.join(", ", missing)
                    + (Files.exists(Path.of("/usr/lib/grub/i386-pc/boot.img")) ? "" : " /usr/lib/grub/i386-pc (grub-pc-bin)")
                    + " — apt-get install debootstrap grub-pc-bin e2fsprogs fdisk");
        }
    }

    /** Builds the image (or finds it in the cache); fails with the build's output. */
    static Built get(Path logFile) throws IOException {
        requireTools();
        Path script = Chainboot.checkoutRoot().resolve("images/debian-12/build.sh");
        String cache = System.getProperty("chainboot.image-cache", "");
        long t0 = System.nanoTime();
        List<String> argv = cache.isBlank() ? List.of(script.toString())
                : List.of("env", "CHAINBOOT_IMAGE_CACHE=" + cache, script.toString());
        Cmd.Result r = Cmd.run(Duration.ofMinutes(30), null, argv.toArray(String[]::new));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Files.createDirectories(logFile.getParent());
        Files.writeString(logFile, r.output());
        String out = r.output().strip();
        String last = out.substring(out.lastIndexOf('\n') + 1).strip();
        if (!r.ok() || !last.endsWith("disk.img") || !Files.exists(Path.of(last))) {
            throw new IllegalStateException("images/debian-12/build.sh failed (exit " + r.exit() + "; it needs the"
                    + " Debian mirror http://deb.debian.org/debian): " + tail(out, 3000));
        }
        Path disk = Path.of(last);
        String sha = Files.readString(Path.of(last + ".sha256")).strip();
        return new Built(disk, sha, seconds, out.contains("cached image"), out);
    }

    /** The image's kernel, initrd and kernel command line, as copied into an assets directory. */
    record BootFiles(Path dir, Path vmlinuz, Path initrd, String cmdline) {
    }

    /**
     * What a user does for the {@code linux} profile: {@code images/debian-12/boot-files.sh --into DIR}
     * reads vmlinuz and initrd.img out of the (cached) image, once per image, next to it in its cache
     * directory, and copies them with the image's kernel command line into {@code into} — script-service's
     * assets directory, served under {@code /assets/}.
     */
    static BootFiles bootFiles(Path into) throws IOException {
        Path script = Chainboot.checkoutRoot().resolve("images/debian-12/boot-files.sh");
        String cache = System.getProperty("chainboot.image-cache", "");
        List<String> argv = new java.util.ArrayList<>(cache.isBlank() ? List.of() : List.of("env", "CHAINBOOT_IMAGE_CACHE=" + cache));
        argv.addAll(List.of(script.toString(), "--into", into.toString()));
        Cmd.Result r = Cmd.run(Duration.ofMinutes(30), null, argv.toArray(String[]::new));
        if (!r.ok() || !Files.isRegularFile(into.resolve("vmlinuz")) || !Files.isRegularFile(into.resolve("initrd.img"))) {
            throw new IllegalStateException("images/debian-12/boot-files.sh failed (exit " + r.exit() + "): "
                    + tail(r.output(), 3000));
        }
        return new BootFiles(into, into.resolve("vmlinuz"), into.resolve("initrd.img"),
                Files.readString(into.resolve("cmdline")).strip());
    }

    /**
     * The user's steps for the {@code linux} profile with the image's kernel (docs/diskless-linux.md):
     * {@link #bootFiles} into {@code <state>/assets/debian-12}, and a profile {@code profile} of kind
     * linux with {@code sanhook: true} in {@code <state>/profiles} (script-service reads it within 5 s).
     */
    static BootFiles installHttpKernelProfile(Path state, String profile) throws IOException {
        BootFiles files = bootFiles(state.resolve("assets").resolve("debian-12"));
        Path dir = Files.createDirectories(state.resolve("profiles"));
        Files.writeString(dir.resolve(profile + ".yaml"), """
                name: %s
                kind: linux
                description: Debian 12 golden image, kernel and initrd over HTTP, root on the machine's own iSCSI disk
                params:
                  kernel: debian-12/vmlinuz
                  initrd: debian-12/initrd.img
                  sanhook: true
                  cmdline: %s
                """.formatted(profile, files.cmdline()));
        return files;
    }

    static String tail(String s, int chars) {
        return s.length() <= chars ? s : "…" + s.substring(s.length() - chars);
    }

    /**
     * Puts the built image into the state's import directory (chainboot.iscsi.import-dir, the only
     * place iscsi-service imports from): a hard link when the cache is on the same file system, else a
     * sparse copy. Returns the name to pass as {@code ?path=}.
     */
    static String stageForImport(Path state, Path disk, String name) throws java.io.IOException {
        Path dir = java.nio.file.Files.createDirectories(state.resolve("iscsi").resolve("import"));
        Path staged = dir.resolve(name);
        java.nio.file.Files.deleteIfExists(staged);
        try {
            java.nio.file.Files.createLink(staged, disk);
        } catch (java.io.IOException | UnsupportedOperationException e) {
            io.chainboot.e2e.harness.Cmd.check("cp", "--sparse=always", disk.toString(), staged.toString());
        }
        return name;
    }
}
