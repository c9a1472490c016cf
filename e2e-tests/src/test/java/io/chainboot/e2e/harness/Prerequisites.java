package io.chainboot.e2e.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the end-to-end tests need. They are not skipped when something is missing (CI installs it
 * all and runs as root): they fail and name the Debian packages to install.
 */
public final class Prerequisites {
    private static final Map<String, String> COMMANDS = Map.ofEntries(
            Map.entry("qemu-system-x86_64", "qemu-system-x86"), Map.entry("nasm", "nasm"),
            Map.entry("sfdisk", "fdisk"), Map.entry("mkfs.vfat", "dosfstools"),
            Map.entry("mmd", "mtools"), Map.entry("mcopy", "mtools"), Map.entry("ip", "iproute2"),
            Map.entry("ss", "iproute2"));
    private static final Map<String, String> FILES = Map.of(
            "/usr/lib/ipxe/qemu/efi-e1000.rom", "ipxe-qemu", "/usr/lib/ipxe/ipxe.efi", "ipxe",
            "/usr/share/OVMF/OVMF_CODE_4M.fd", "ovmf");
    private static final Map<String, String> REFERENCE = Map.of(
            "dnsmasq", "dnsmasq-base", "tgtd", "tgt", "tgtadm", "tgt", "python3", "python3");

    private static final Map<String, String> COMPOSE = Map.of(
            "dockerd", "docker.io", "docker", "docker.io", "docker-compose", "docker-compose",
            "debootstrap", "debootstrap", "nsenter", "util-linux", "curl", "curl");

    private Prerequisites() {
    }

    /** {@link #require} plus what the compose test needs: a Docker engine, docker-compose, debootstrap. */
    public static void requireCompose() {
        List<String> missing = new ArrayList<>();
        COMPOSE.forEach((cmd, pkg) -> {
            if (!Cmd.onPath(cmd)) {
                missing.add(cmd + " (" + pkg + ")");
            }
        });
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the compose test needs: " + String.join(", ", missing)
                    + " — apt-get install docker.io docker-compose debootstrap util-linux curl");
        }
        require(false);
    }

    /** Fails with the list of missing packages, or if not root (namespaces and tap devices need it). */
    public static void require(boolean referenceStack) {
        List<String> missing = new ArrayList<>();
        COMMANDS.forEach((cmd, pkg) -> {
            if (!Cmd.onPath(cmd)) {
                missing.add(cmd + " (" + pkg + ")");
            }
        });
        FILES.forEach((file, pkg) -> {
            if (!Files.exists(Path.of(file))) {
                missing.add(file + " (" + pkg + ")");
            }
        });
        if (referenceStack) {
            REFERENCE.forEach((cmd, pkg) -> {
                if (!Cmd.onPath(cmd)) {
                    missing.add(cmd + " (" + pkg + ")");
                }
            });
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("end-to-end tests need: " + String.join(", ", missing)
                    + " — apt-get install qemu-system-x86 ipxe-qemu ipxe ovmf nasm dosfstools mtools fdisk"
                    + " dnsmasq-base tgt");
        }
        if (!"0".equals(Cmd.run("id", "-u").output().strip())) {
            throw new IllegalStateException("end-to-end tests must run as root (network namespaces, tap devices)");
        }
    }
}
