package io.chainboot.e2e.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One power-on of a diskless machine that runs a real operating system from its iSCSI disk:
 * QEMU TCG, BIOS with the e1000's iPXE ROM, 768 MiB, its own SMBIOS UUID (QEMU's default is all
 * zeros, which would give every VM the same identity), {@code -no-reboot} (a reboot ends this
 * QEMU; the next boot is a fresh one, as a warm reset under TCG is much slower), COM1 to a file.
 * The test talks to the booted OS through fw_cfg {@code opt/io.chainboot/run}: the golden image's
 * {@code chainboot-marker} unit runs that script and copies its output to the console
 * ({@code chainboot-run: …}).
 */
public final class OsMachine {
    /** Printed by the golden image's chainboot-marker unit once systemd reached multi-user. */
    public static final Pattern OS_UP = Pattern.compile(
            "CHAINBOOT-OS-UP host=(\\S+) machine-id=(\\S*) boot=(\\d+) uptime=(\\S+) initiator=(\\S*)");

    /** Milestones of a diskless Linux boot (sanboot → GRUB) as the console shows them, in order, for failure messages. */
    public static final List<String[]> SANBOOT_MILESTONES = List.of(
            new String[]{"iPXE DHCP", "Configuring (net0"},
            new String[]{"iPXE script", "[script]"},
            new String[]{"iPXE sanboot (SAN_ATTACHED)", "Booting from SAN device"},
            new String[]{"GRUB from the iSCSI disk", "grub: loading linux"},
            new String[]{"kernel", "Linux version"},
            new String[]{"initramfs iSCSI login (iscsistart)", "Logging in to"},
            new String[]{"root filesystem mounted", "EXT4-fs (sda1): mounted"},
            new String[]{"systemd", "Welcome to "},
            new String[]{"OS marker", "CHAINBOOT-OS-UP"});

    /**
     * The same for the {@code linux} profile with {@code sanhook}: iPXE hooks the iSCSI disk, fetches
     * kernel and initrd over HTTP and boots the kernel itself (no GRUB).
     */
    public static final List<String[]> HTTP_KERNEL_MILESTONES = List.of(
            new String[]{"iPXE DHCP", "Configuring (net0"},
            new String[]{"iPXE script", "[script]"},
            new String[]{"iPXE sanhook (SAN_ATTACHED)", "Registered SAN device"},
            new String[]{"kernel over HTTP", "vmlinuz"},
            new String[]{"kernel", "Linux version"},
            new String[]{"initramfs iSCSI login (iscsistart)", "Logging in to"},
            new String[]{"root filesystem mounted", "EXT4-fs (sda1): mounted"},
            new String[]{"systemd", "Welcome to "},
            new String[]{"OS marker", "CHAINBOOT-OS-UP"});

    private List<String[]> milestones = SANBOOT_MILESTONES;
    private int memoryMib = 768;

    private final TestNamespace ns;
    private final String mac;
    private final String uuid;
    private final String label;
    private final Path dir;
    private final Path serial;
    private TestNamespace.Daemon process;
    private long startedNanos;

    public OsMachine(TestNamespace ns, String mac, String uuid, String label) {
        this.ns = ns;
        this.mac = mac;
        this.uuid = uuid;
        this.label = label;
        this.dir = ns.dir().resolve("os-" + label);
        this.serial = dir.resolve("serial.log");
    }

    /** The console milestones failure messages name (default {@link #SANBOOT_MILESTONES}). */
    public OsMachine milestones(List<String[]> milestones) {
        this.milestones = milestones;
        return this;
    }

    /** Memory of the machine, MiB (default 768). */
    public OsMachine memory(int mib) {
        this.memoryMib = mib;
        return this;
    }

    /** Powers on with {@code script} as the booted OS's fw_cfg run script. */
    public OsMachine powerOn(String tap, String script) {
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(serial);
            Path run = dir.resolve("run.sh");
            Files.writeString(run, script);
            startedNanos = System.nanoTime();
            process = ns.start("qemu-" + label, "qemu-system-x86_64",
                    "-nographic", "-monitor", "none", "-serial", "file:" + serial, "-m", Integer.toString(memoryMib), "-smp", "1",
                    "-no-reboot", "-accel", "tcg", "-boot", "n", "-uuid", uuid,
                    "-netdev", "tap,id=n0,ifname=" + tap + ",script=no,downscript=no",
                    "-device", "e1000,netdev=n0,mac=" + mac,
                    "-fw_cfg", "name=opt/io.chainboot/run,file=" + run);
            return this;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start QEMU for " + label + ": " + e.getMessage(), e);
        }
    }

    public String mac() {
        return mac;
    }

    public String label() {
        return label;
    }

    /** Seconds since power-on. */
    public double seconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** Waits until the console matches {@code p} (first match returned), QEMU exits, or the timeout passes. */
    public Optional<Matcher> await(Pattern p, Duration timeout) {
        long end = startedNanos + timeout.toNanos();
        while (true) {
            Matcher m = p.matcher(console());
            if (m.find()) {
                return Optional.of(m);
            }
            if (!alive() || System.nanoTime() > end) {
                m = p.matcher(console()); // the last bytes QEMU wrote before exiting
                return m.find() ? Optional.of(m) : Optional.empty();
            }
            TestNamespace.sleep(200);
        }
    }

    /** Waits until QEMU exits by itself (the guest rebooted or powered off: {@code -no-reboot}). */
    public boolean awaitExit(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (alive() && System.nanoTime() < end) {
            TestNamespace.sleep(200);
        }
        return !alive();
    }

    public boolean alive() {
        return process != null && process.alive();
    }

    /** Pulls the plug: SIGKILL to QEMU, the guest gets no chance to flush anything. */
    public void powerCut() {
        if (process != null) {
            process.process().destroyForcibly();
            try {
                process.process().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public void powerOff() {
        if (process != null) {
            TestNamespace.stop(process, Duration.ofSeconds(3));
        }
    }

    /** The whole console, escape codes removed, CR LF as LF. */
    public String console() {
        try {
            String s = Files.exists(serial) ? new String(Files.readAllBytes(serial), StandardCharsets.ISO_8859_1) : "";
            return s.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "").replace("\r\n", "\n").replace('\r', '\n');
        } catch (IOException e) {
            return "";
        }
    }

    /** The last milestone the console shows and the next one it never reached. */
    public String consoleStage() {
        String c = console();
        String last = "nothing (no console output)";
        for (String[] m : milestones) {
            if (!c.contains(m[1])) {
                return "reached " + last + ", never " + m[0];
            }
            last = m[0];
        }
        return "reached " + last;
    }

    /** The last {@code chars} characters of the console, blank lines squeezed, for failure messages. */
    public String consoleTail(int chars) {
        String s = console().replaceAll("\n\\s*\n+", "\n");
        return s.length() <= chars ? s : s.substring(s.length() - chars);
    }

    public Path serialLog() {
        return serial;
    }
}
