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
