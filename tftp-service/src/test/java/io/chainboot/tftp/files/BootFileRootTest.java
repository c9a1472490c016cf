package io.chainboot.tftp.files;

import io.chainboot.tftp.codec.ErrorCode;
import io.chainboot.tftp.codec.TransferMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Name → file mapping and its refusals; the shared open-file cache. */
class BootFileRootTest {
    @TempDir
    Path tmp;
    Path rootDir;
    BootFileRoot root;

    @BeforeEach
    void setUp() throws Exception {
        rootDir = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(rootDir.resolve("boot"));
        Files.writeString(rootDir.resolve("boot/x.efi"), "efi");
        Files.writeString(rootDir.resolve("undionly.kpxe"), "kpxe");
        Files.writeString(tmp.resolve("secret"), "secret");
        Files.createSymbolicLink(rootDir.resolve("escape"), tmp.resolve("secret"));
        Files.createSymbolicLink(rootDir.resolve("escape-dir"), tmp);
        Files.createSymbolicLink(rootDir.resolve("inside"), rootDir.resolve("undionly.kpxe"));
        root = new BootFileRoot(rootDir);
    }

    Resolution.Found found(String name) {
        Resolution r = root.resolve(name);
        assertThat(r).as(name).isInstanceOf(Resolution.Found.class);
        return (Resolution.Found) r;
    }

    ErrorCode refused(String name) {
        Resolution r = root.resolve(name);
        assertThat(r).as(name).isInstanceOf(Resolution.Refused.class);
        return ((Resolution.Refused) r).code();
    }

    @Test
    void plainAndPxeStyleNames() throws Exception {
        assertThat(found("undionly.kpxe").name()).isEqualTo("undionly.kpxe");
        assertThat(found("/undionly.kpxe").name()).isEqualTo("undionly.kpxe");
        assertThat(found("\\boot\\x.efi").name()).isEqualTo("boot/x.efi");
        assertThat(found("boot//./x.efi").name()).isEqualTo("boot/x.efi");
        assertThat(found("inside").path()).isEqualTo(rootDir.resolve("undionly.kpxe").toRealPath());
    }

    @Test
    void traversalIsAnAccessViolation() {
        assertThat(refused("../secret")).isEqualTo(ErrorCode.ACCESS_VIOLATION);
        assertThat(refused("boot/../../secret")).isEqualTo(ErrorCode.ACCESS_VIOLATION);
        assertThat(refused("..\\secret")).isEqualTo(ErrorCode.ACCESS_VIOLATION);
        assertThat(refused("escape")).isEqualTo(ErrorCode.ACCESS_VIOLATION);
        assertThat(refused("escape-dir/secret")).isEqualTo(ErrorCode.ACCESS_VIOLATION);
        assertThat(refused("C:\\boot\\x.efi")).isEqualTo(ErrorCode.ACCESS_VIOLATION);
        assertThat(refused("boot/x.efi\0.png")).isEqualTo(ErrorCode.ACCESS_VIOLATION);
    }

    @Test
    void absoluteNamesStayInTheRoot() {
        assertThat(refused("/etc/passwd")).isEqualTo(ErrorCode.FILE_NOT_FOUND);
    }

    @Test
    void missingAndDirectoriesAreNotFound() {
        assertThat(refused("nope")).isEqualTo(ErrorCode.FILE_NOT_FOUND);
        assertThat(refused("boot")).isEqualTo(ErrorCode.FILE_NOT_FOUND);
        assertThat(refused("/")).isEqualTo(ErrorCode.FILE_NOT_FOUND);
    }

    @Test
    void cacheSharesOneMappingPerFileVersion() throws Exception {
        OpenFileCache cache = new OpenFileCache();
        Path p = found("undionly.kpxe").path();
        SharedFile a = cache.acquire(p, TransferMode.OCTET);
        SharedFile b = cache.acquire(p, TransferMode.OCTET);
        assertThat(a).isSameAs(b);
        assertThat(cache.openFiles()).isEqualTo(1);
        Files.writeString(p, "changed!"); // a new version (size/mtime) gets its own entry
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        SharedFile c = cache.acquire(p, TransferMode.OCTET);
        assertThat(c).isNotSameAs(a);
        assertThat(c.size()).isEqualTo(8);
        a.release();
        b.release();
        c.release();
        assertThat(cache.openFiles()).isZero();
        assertThat(cache.idleFiles()).isEqualTo(2); // kept open for the next boot
        SharedFile d = cache.acquire(p, TransferMode.OCTET);
        assertThat(d).isSameAs(c);
        assertThat(cache.idleFiles()).isZero(); // the old version was dropped
        d.release();
    }

    @Test
    void netasciiIsTranslatedOnce() {
        ByteBuffer out = Netascii.encode(ByteBuffer.wrap("a\nb\rc".getBytes(StandardCharsets.US_ASCII)));
        byte[] b = new byte[out.remaining()];
        out.get(b);
        assertThat(new String(b, StandardCharsets.ISO_8859_1)).isEqualTo("a\r\nb\r\0c");
    }
}
