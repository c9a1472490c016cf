package io.chainboot.e2e.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Builds the guests' boot disks from the nasm sources in {@code src/test/resources/boot}:
 * <ul>
 *   <li>BIOS: a 64 MiB raw image whose LBA 0 is a boot sector that prints the marker on COM1;</li>
 *   <li>UEFI: a 64 MiB image with an MBR partition table, one EFI System Partition (type 0xEF, FAT16)
 *       holding {@code \EFI\BOOT\BOOTX64.EFI}, a tiny PE32+ application that prints the marker.</li>
 * </ul>
 */
public final class BootImages {
    public static final long DISK_BYTES = 64L * 1024 * 1024;
    private static final long ESP_START_LBA = 2048;

    private BootImages() {
    }

    /** The marker a default BIOS disk prints. */
    public static final String BIOS_MARKER = "ISCSI-MBR-BOOTED";
    /** The marker a default UEFI disk prints. */
    public static final String UEFI_MARKER = "ISCSI-EFI-BOOTED";

    public static Path disk(Firmware firmware, Path target, String marker) {
        return firmware == Firmware.BIOS ? biosDisk(target, marker) : uefiDisk(target, marker);
    }

    /** A raw disk with the marker-printing boot sector at LBA 0. */
    public static Path biosDisk(Path target, String marker) {
        try {
            Path work = Files.createTempDirectory(target.getParent(), "mbr");
            Path asm = resource("boot/mbr.asm", work);
            Path bin = work.resolve("mbr.bin");
            Cmd.check("nasm", "-f", "bin", "-DMARKER=\"" + marker + "\"", "-o", bin.toString(), asm.toString());
            byte[] sector = Files.readAllBytes(bin);
            if (sector.length != 512) {
                throw new IllegalStateException("boot sector is " + sector.length + " bytes, not 512");
            }
            try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
                f.setLength(DISK_BYTES);
                f.seek(0);
                f.write(sector);
            }
            deleteTree(work);
            return target;
        } catch (IOException e) {
            throw new IllegalStateException("cannot build BIOS disk " + target, e);
        }
    }

    /** A disk with an MBR partition table and a FAT16 ESP holding \EFI\BOOT\BOOTX64.EFI. */
    public static Path uefiDisk(Path target, String marker) {
        try {
            Path work = Files.createTempDirectory(target.getParent(), "esp");
            Path asm = resource("boot/efiapp.asm", work);
            Path efi = work.resolve("BOOTX64.EFI");
            Cmd.check("nasm", "-f", "bin", "-DMARKER=\"" + marker + "\"", "-o", efi.toString(), asm.toString());
            Files.deleteIfExists(target);
            try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
                f.setLength(DISK_BYTES);
            }
            Cmd.run(java.time.Duration.ofSeconds(30), "start=" + ESP_START_LBA + ", type=ef\n",
                    "sfdisk", "-q", target.toString()).check();
            Path esp = work.resolve("esp.img");
            try (RandomAccessFile f = new RandomAccessFile(esp.toFile(), "rw")) {
                f.setLength(DISK_BYTES - ESP_START_LBA * 512);
            }
            Cmd.check("mkfs.vfat", "-F", "16", "-n", "ESP", esp.toString());
            Cmd.check("mmd", "-i", esp.toString(), "::/EFI", "::/EFI/BOOT");
            Cmd.check("mcopy", "-i", esp.toString(), efi.toString(), "::/EFI/BOOT/BOOTX64.EFI");
            byte[] fat = Files.readAllBytes(esp);
            try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
                f.seek(ESP_START_LBA * 512);
                f.write(fat);
            }
            deleteTree(work);
            return target;
        } catch (IOException e) {
            throw new IllegalStateException("cannot build UEFI disk " + target, e);
        }
    }

    /** Magic at the start of a counter disk's LBA 1, followed by the counter (16-bit, little-endian). */
    public static final String COUNTER_MAGIC = "CBCOUNTR";

    /**
     * A raw disk whose boot sector ({@code counter.asm}) reads the counter in LBA 1 through INT 13h,
     * prints {@code MARK <n>}, writes n+1 back, prints {@code SAVED <n+1>} and {@code OVERLAY-BOOT-DONE}.
     */
    public static Path counterDisk(Path target, int counter, long bytes) {
        try {
            Path work = Files.createTempDirectory(target.getParent(), "counter");
            Path asm = resource("boot/counter.asm", work);
            Path bin = work.resolve("counter.bin");
            Cmd.check("nasm", "-f", "bin", "-o", bin.toString(), asm.toString());
            byte[] sector = Files.readAllBytes(bin);
            if (sector.length != 512) {
                throw new IllegalStateException("boot sector is " + sector.length + " bytes, not 512");
            }
            byte[] lba1 = new byte[512];
            byte[] magic = COUNTER_MAGIC.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(magic, 0, lba1, 0, magic.length);
            lba1[8] = (byte) counter;
            lba1[9] = (byte) (counter >>> 8);
            Files.deleteIfExists(target);
            try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
                f.setLength(bytes);
                f.seek(0);
                f.write(sector);
                f.write(lba1);
            }
            deleteTree(work);
            return target;
        } catch (IOException e) {
            throw new IllegalStateException("cannot build counter disk " + target, e);
        }
    }

    /** SHA-256 of a file, hex. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash " + file, e);
        }
    }

    private static Path resource(String name, Path dir) throws IOException {
        Path out = dir.resolve(Path.of(name).getFileName().toString());
        try (InputStream in = BootImages.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
        return out;
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
