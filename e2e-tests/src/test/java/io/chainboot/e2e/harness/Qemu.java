package io.chainboot.e2e.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One QEMU guest network-booting inside a {@link TestNamespace}: TCG (iPXE stalls under this
 * machine's nested KVM), no disk, {@code -boot n}, {@code -no-reboot}, COM1 to a file.
 * BIOS uses an e1000 (its option ROM is iPXE); UEFI uses OVMF with a ROM-less virtio-net so
 * OVMF's own PXE client does DHCP and fetches ipxe.efi over TFTP.
 */
public final class Qemu {
    private static final Pattern FAILED = Pattern.compile(
            "No bootable device|Could not boot|No more network devices|Boot failed: not a bootable disk"
                    + "|Could not open SAN device|Connection timed out \\(http|Permission denied \\(http"
                    // counter.asm's INT 13h read/write failed
                    + "|OVERLAY-BOOT-FAILED");

    /** How a boot ended. */
    public record Boot(String mac, Firmware firmware, boolean markerSeen, double seconds, String outcome, String serial) {
        /** The last characters of the serial console, cleaned of escape codes, for failure messages. */
        public String serialTail() {
            String s = serial.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "").replace('\r', '\n')
                    .replaceAll("\n\\s*\n+", "\n");
            return s.length() <= 2500 ? s : s.substring(s.length() - 2500);
        }
    }

    private final TestNamespace ns;
    private final Firmware firmware;
    private final String mac;
    private final String tap;
    private final Path serial;
    private final Path dir;
    private TestNamespace.Daemon process;
    private long startedNanos;
    private int memoryMib = 256;

    public Qemu(TestNamespace ns, Firmware firmware, String mac, String tap, String label) {
        this.ns = ns;
        this.firmware = firmware;
        this.mac = mac;
        this.tap = tap;
        this.dir = ns.dir().resolve("qemu-" + label);
        this.serial = dir.resolve("serial.log");
    }

    /** The guest's memory (default 256 MiB); call before {@link #powerOn()}. */
    public Qemu memory(int mib) {
        this.memoryMib = mib;
        return this;
    }

    /** Powers the guest on. */
    public Qemu powerOn() {
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(serial);
            List<String> args = new ArrayList<>(List.of("qemu-system-x86_64",
                    "-nographic", "-monitor", "none", "-serial", "file:" + serial, "-m", Integer.toString(memoryMib), "-no-reboot",
                    "-accel", "tcg", "-boot", "n",
                    "-netdev", "tap,id=n0,ifname=" + tap + ",script=no,downscript=no"));
            if (firmware == Firmware.BIOS) {
                args.addAll(List.of("-device", "e1000,netdev=n0,mac=" + mac));
            } else {
                boolean secure = firmware == Firmware.UEFI_SECURE_BOOT;
                Path vars = dir.resolve("OVMF_VARS.fd");
                Files.copy(Path.of(secure ? "/usr/share/OVMF/OVMF_VARS_4M.ms.fd" : "/usr/share/OVMF/OVMF_VARS_4M.fd"), vars,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                args.addAll(List.of("-device", "virtio-net-pci,netdev=n0,mac=" + mac + ",romfile="
                                + (firmware == Firmware.UEFI_HTTP ? ",bootindex=1" : ""),
                        "-machine", secure ? "q35,smm=on" : "q35",
                        "-drive", "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/"
                                + (secure ? "OVMF_CODE_4M.secboot.fd" : "OVMF_CODE_4M.fd"),
                        "-drive", "if=pflash,format=raw,file=" + vars));
                if (secure) {
                    args.addAll(List.of("-global", "driver=cfi.pflash01,property=secure,value=on"));
                }
                if (firmware == Firmware.UEFI_HTTP) {
                    // PXE off over both IPs (else OVMF tries PXEv6 first and waits for it to time out)
                    args.addAll(List.of("-device", "virtio-rng-pci",
                            "-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=no",
                            "-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=no"));
                }
            }
            startedNanos = System.nanoTime();
            process = ns.start("qemu-" + dir.getFileName().toString().substring(5), args.toArray(String[]::new));
            return this;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start QEMU: " + e.getMessage(), e);
        }
    }

    /** Waits for {@code marker} on COM1 (or a boot failure, QEMU exiting, or the timeout), then powers off. */
    public Boot awaitMarker(String marker, Duration timeout) {
        long end = startedNanos + timeout.toNanos();
        String outcome;
        boolean seen = false;
        double seconds;
        while (true) {
            String text = serialText();
            if (text.contains(marker)) {
                seconds = (System.nanoTime() - startedNanos) / 1e9;
                seen = true;
                outcome = "marker " + marker;
                break;
            }
            if (FAILED.matcher(text).find()) {
                TestNamespace.sleep(500);
                seconds = (System.nanoTime() - startedNanos) / 1e9;
                outcome = "firmware reported a boot failure";
                break;
            }
            if (!process.alive()) {
                seconds = (System.nanoTime() - startedNanos) / 1e9;
                outcome = "QEMU exited (" + process.logTail(400).strip() + ")";
                break;
            }
            if (System.nanoTime() > end) {
                seconds = (System.nanoTime() - startedNanos) / 1e9;
                outcome = "timed out after " + timeout.toSeconds() + " s";
                break;
            }
            TestNamespace.sleep(50);
        }
        powerOff();
        return new Boot(mac, firmware, seen, seconds, outcome, serialText());
    }

    public void powerOff() {
        if (process != null) {
            TestNamespace.stop(process, Duration.ofSeconds(3));
        }
    }

    public Path serialLog() {
        return serial;
    }

    private String serialText() {
        try {
            return Files.exists(serial) ? new String(Files.readAllBytes(serial), StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
