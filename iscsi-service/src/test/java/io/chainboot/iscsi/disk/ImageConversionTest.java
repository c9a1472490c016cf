package io.chainboot.iscsi.disk;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainboot.events.EventSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * qcow2 and VMDK imports through the real {@code qemu-img} (Debian qemu-utils): a raw golden
 * image converted to qcow2 and to VMDK by qemu-img imports back to the same bytes and checksum;
 * a broken one or one with a backing file is refused and leaves nothing in the images directory.
 * The refusal rules on {@code qemu-img info}'s answer, pure.
 */
class ImageConversionTest {
    @TempDir
    Path dir;
    DiskStore store;

    static void qemuImg(String... args) throws IOException, InterruptedException {
        assertThat(Path.of("/usr/bin/qemu-img")).as("qemu-img: install the Debian package qemu-utils").isExecutable();
        List<String> cmd = new ArrayList<>(List.of("qemu-img"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("qemu-img %s: %s", String.join(" ", args), out).isZero();
    }

    @BeforeEach
    void setUp() {
        store = new DiskStore(dir.resolve("images"), dir.resolve("disks"), 0, e -> { },
                new EventSource("iscsi-service", "test"), "iqn.2026-01.io.chainboot");
    }

    @Test
    void qcow2AndVmdkImportAsTheRawImageTheyHold() throws Exception {
        Path raw = Disks.goldenImage(dir.resolve("golden.raw"), 2048);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(raw)));
        qemuImg("convert", "-f", "raw", "-O", "qcow2", raw.toString(), dir.resolve("golden.qcow2").toString());
        qemuImg("convert", "-f", "raw", "-O", "vmdk", raw.toString(), dir.resolve("golden.vmdk").toString());
        assertThat(ImageFormat.detect(Files.readAllBytes(dir.resolve("golden.qcow2")), 8)).contains("qcow2");

        DiskStore.Image q = store.importImage("from-qcow2", dir.resolve("golden.qcow2"), null);
        DiskStore.Image v = store.importImage("from-vmdk", dir.resolve("golden.vmdk"), null);
        assertThat(q.sha256()).isEqualTo(sha);
        assertThat(v.sha256()).isEqualTo(sha);
        assertThat(q.sizeBytes()).isEqualTo(Files.size(raw));
        assertThat(Files.readAllBytes(store.imagePath("from-qcow2"))).isEqualTo(Files.readAllBytes(raw));
        try (var files = Files.list(dir.resolve("images"))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList())
                    .as("no temporary file left").isEmpty();
        }
    }

    @Test
    void aBrokenOrBackedImageIsRefusedAndLeavesNothing() throws Exception {
        Path broken = Files.write(dir.resolve("broken.qcow2"), new byte[] {'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 3, 1, 2, 3});
        assertThatThrownBy(() -> store.importImage("broken", broken, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid qcow2 image");
        Path backed = dir.resolve("backed.qcow2");
        qemuImg("create", "-f", "qcow2", "-b", "/etc/hostname", "-F", "raw", backed.toString(), "1M");
        assertThatThrownBy(() -> store.importImage("backed", backed, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backing file").hasMessageContaining("/etc/hostname");
        try (var files = Files.list(dir.resolve("images"))) {
            assertThat(files.toList()).as("nothing left in the images directory").isEmpty();
        }
    }

    @Test
    void infoThatWouldReadAnotherFileIsRefused() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Path self = Path.of("/import/a.vmdk");
        assertThat(ImageConversion.refusal(json.readTree("{\"virtual-size\":1048576}"), self)).isEmpty();
        assertThat(ImageConversion.refusal(json.readTree("{\"virtual-size\":1048576,\"backing-filename\":\"/etc/shadow\"}"), self))
                .get().asString().contains("backing file");
        assertThat(ImageConversion.refusal(json.readTree("{\"virtual-size\":1048576,\"format-specific\":{\"data\":{\"data-file\":\"/x\"}}}"),
                self)).get().asString().contains("external file");
        assertThat(ImageConversion.refusal(json.readTree("{\"virtual-size\":1048576,\"format-specific\":{\"data\":{\"extents\":"
                + "[{\"filename\":\"/import/a.vmdk\"}]}}}"), self)).isEmpty();
        assertThat(ImageConversion.refusal(json.readTree("{\"virtual-size\":1048576,\"format-specific\":{\"data\":{\"extents\":"
                + "[{\"filename\":\"/etc/passwd\"}]}}}"), self)).get().asString().contains("another file");
        assertThat(ImageConversion.refusal(json.readTree("{\"virtual-size\":1000}"), self)).get().asString().contains("multiple of 512");
        assertThat(ImageConversion.refusal(json.readTree("{\"virtual-size\":" + (DiskStore.MAX_DISK_BYTES + 512) + "}"), self))
                .get().asString().contains("over the limit");
        assertThat(ImageConversion.convertCommand("qemu-img", "qcow2", self, Path.of("/images/.a.converting")))
                .containsExactly("qemu-img", "convert", "-p", "-f", "qcow2", "-O", "raw", "/import/a.vmdk", "/images/.a.converting");
    }
}
