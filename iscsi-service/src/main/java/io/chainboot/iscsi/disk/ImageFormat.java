package io.chainboot.iscsi.disk;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Recognises container formats that are not raw disk images by their first bytes, so that an
 * import refuses them (415) instead of serving a qcow2 header as sector 0. Magic numbers: qcow2
 * {@code QFI\xfb} (QEMU docs/interop/qcow2.txt), VMDK sparse extent {@code KDMV} and text
 * descriptor {@code # Disk DescriptorFile} (VMware "Virtual Disk Format 5.0"), VHDX {@code vhdxfile}
 * (MS-VHDX §2.2.1), VDI's "<<< Oracle VM VirtualBox Disk Image >>>" banner.
 */
public final class ImageFormat {
    private ImageFormat() {
    }

    /** Thrown for a known non-raw format; the API answers 415 with its name. */
    public static final class Unsupported extends IllegalArgumentException {
        private final String format;

        Unsupported(String format, String message) {
            super(message);
            this.format = format;
        }

        Unsupported(String format) {
            super("the file is a " + format + " image; an upload must be raw (place the file in the import directory to "
                    + "import it converted, or convert it with 'qemu-img convert -O raw FILE FILE.img')");
            this.format = format;
        }

        public String format() {
            return format;
        }
    }

    /** The name of the non-raw format these first bytes start, if any. */
    public static Optional<String> detect(byte[] head, int n) {
        if (starts(head, n, new byte[] {'Q', 'F', 'I', (byte) 0xfb})) {
            return Optional.of("qcow2");
        }
        if (starts(head, n, "KDMV".getBytes(StandardCharsets.US_ASCII))
                || starts(head, n, "# Disk DescriptorFile".getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of("VMDK");
        }
        if (starts(head, n, "vhdxfile".getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of("VHDX");
        }
        if (starts(head, n, "<<< Oracle VM VirtualBox Disk Image >>>".getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of("VDI");
        }
        return Optional.empty();
    }

    /** Compressed archives by their magic (gzip RFC 1952, xz, zstd RFC 8878, bzip2, zip, 7z): not disk images. */
    public static Optional<String> archive(byte[] head, int n) {
        if (starts(head, n, new byte[] {0x1f, (byte) 0x8b})) {
            return Optional.of("gzip");
        }
        if (starts(head, n, new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0})) {
            return Optional.of("xz");
        }
        if (starts(head, n, new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd})) {
            return Optional.of("zstd");
        }
        if (starts(head, n, new byte[] {'B', 'Z', 'h'})) {
            return Optional.of("bzip2");
        }
        if (starts(head, n, new byte[] {'P', 'K', 3, 4})) {
            return Optional.of("zip");
        }
        if (starts(head, n, new byte[] {'7', 'z', (byte) 0xbc, (byte) 0xaf, 0x27, 0x1c})) {
            return Optional.of("7z");
        }
        return Optional.empty();
    }

    /** Refuses (415) a compressed archive: an upload is a raw image or a qcow2/VMDK/VHDX/VDI one. */
    static void requireImage(byte[] head, int n) {
        Optional<String> a = archive(head, n);
        if (a.isPresent()) {
            throw new Unsupported(a.get() + " archive", "the upload is a " + a.get() + " archive, not a disk image: "
                    + "decompress it and upload the raw, qcow2, VMDK, VHDX or VDI image inside");
        }
    }

    static void requireRaw(byte[] head, int n) {
        Optional<String> f = detect(head, n);
        if (f.isPresent()) {
            throw new Unsupported(f.get());
        }
    }

    private static boolean starts(byte[] b, int n, byte[] magic) {
        if (n < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (b[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
