package io.chainboot.tftp.server;

import io.chainboot.common.testing.Eventually;
import io.chainboot.events.TftpEvents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acceptance with Debian's own clients over loopback: tftp-hpa {@code tftp} (no options),
 * {@code atftp} (blksize, windowsize, tsize, timeout) and {@code curl tftp://} (blksize).
 * Debian packages: tftp-hpa, atftp, curl.
 */
class RealClientsTest {
    @TempDir
    static Path root;
    @TempDir
    static Path out;
    static ServerFixture fx;
    static final int MEDIUM = 3 * 1024 * 1024 + 123;
    static final long HUGE = 33L * 1024 * 1024 + 77; // > 65535 blocks of 512 bytes: the block number rolls over

    @BeforeAll
    static void start() throws Exception {
        write(root.resolve("medium.bin"), MEDIUM, 7);
        write(root.resolve("huge.bin"), HUGE, 8);
        Files.copy(Path.of("/usr/lib/ipxe/undionly.kpxe"), root.resolve("undionly.kpxe"));
        fx = new ServerFixture(root, 65464, 1000, 5, 500);
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    static void write(Path p, long size, long seed) throws Exception {
        Random r = new Random(seed);
        byte[] buf = new byte[1 << 16];
        try (OutputStream o = Files.newOutputStream(p)) {
            for (long left = size; left > 0; ) {
                r.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                o.write(buf, 0, n);
                left -= n;
            }
        }
    }

    static void assertSame(String name, Path got) throws Exception {
        assertThat(Files.mismatch(root.resolve(name), got)).as("first differing byte of " + name).isEqualTo(-1L);
    }

    static String port() {
        return Integer.toString(fx.port());
    }

    @Test
    void tftpHpaWithoutOptions() throws Exception {
        Path dst = out.resolve("hpa-medium.bin");
        Clients.Run r = Clients.run(out, List.of("tftp", "-m", "binary", "127.0.0.1", port(), "-c", "get", "medium.bin", dst.toString()));
        assertThat(r.exit()).as(r.output()).isZero();
        assertSame("medium.bin", dst);
    }

    @Test
    void tftpHpaRollsTheBlockNumberOver() throws Exception {
        Path dst = out.resolve("hpa-huge.bin");
        Clients.Run r = Clients.run(out, List.of("tftp", "-m", "binary", "127.0.0.1", port(), "-c", "get", "huge.bin", dst.toString()));
        assertThat(r.exit()).as(r.output()).isZero();
        assertSame("huge.bin", dst);
    }

    @Test
    void tftpHpaPutIsRefused() throws Exception {
        Path src = out.resolve("upload.bin");
        Files.write(src, new byte[100]);
        Clients.Run r = Clients.run(out, List.of("tftp", "-m", "binary", "127.0.0.1", port(), "-c", "put", src.toString(), "upload.bin"));
        assertThat(r.output()).contains("Error code 2");
        assertThat(Files.exists(root.resolve("upload.bin"))).isFalse();
    }

    @Test
    void tftpHpaMissingFileAndTraversal() throws Exception {
        Clients.Run missing = Clients.run(out, List.of("tftp", "127.0.0.1", port(), "-c", "get", "missing.bin", out.resolve("m").toString()));
        assertThat(missing.output()).contains("Error code 1");
        Clients.Run up = Clients.run(out, List.of("tftp", "127.0.0.1", port(), "-c", "get", "../../../../etc/passwd", out.resolve("p").toString()));
        assertThat(up.output()).contains("Error code 2");
    }

    @Test
    void atftpWithBlksizeWindowsizeTsizeTimeout() throws Exception {
        Path dst = out.resolve("atftp-medium.bin");
        Clients.Run r = Clients.run(out, List.of("atftp", "--get", "-r", "medium.bin", "-l", dst.toString(),
                "--option", "blksize 1468", "--option", "windowsize 8", "--option", "tsize 0", "--option", "timeout 2",
                "--verbose", "127.0.0.1", port()));
        assertThat(r.exit()).as(r.output()).isZero();
        assertSame("medium.bin", dst);
        assertThat(r.output()).contains("blksize", "windowsize", "tsize");
    }

    @Test
    void atftpLockStepWithBigBlocks() throws Exception {
        Path dst = out.resolve("atftp-big.bin");
        Clients.Run r = Clients.run(out, List.of("atftp", "--get", "-r", "medium.bin", "-l", dst.toString(),
                "--option", "blksize 8192", "127.0.0.1", port()));
        assertThat(r.exit()).as(r.output()).isZero();
        assertSame("medium.bin", dst);
    }

    @Test
    void atftpWindowsize64WithBigBlocks() throws Exception {
        Path dst = out.resolve("atftp-window64.bin");
        Clients.Run r = Clients.run(out, List.of("atftp", "--get", "-r", "medium.bin", "-l", dst.toString(),
                "--option", "blksize 8192", "--option", "windowsize 64", "--verbose", "127.0.0.1", port()));
        assertThat(r.exit()).as(r.output()).isZero();
        assertSame("medium.bin", dst);
        assertThat(r.output()).contains("windowsize = 64");
        Eventually.until(() -> fx.events.of(TftpEvents.Completed.class).stream()
                .anyMatch(e -> e.windowSize() == 64 && e.blockSize() == 8192 && e.bytes() == MEDIUM), "completed ws64 blksize 8192");
    }

    @Test
    void curlWithBlksize() throws Exception {
        for (String blksize : List.of("512", "1468", "8192")) {
            Path dst = out.resolve("curl-" + blksize + ".bin");
            Clients.Run r = Clients.run(out, List.of("curl", "-sS", "-o", dst.toString(), "--tftp-blksize", blksize,
                    "tftp://127.0.0.1:" + port() + "/medium.bin"));
            assertThat(r.exit()).as(r.output()).isZero();
            assertSame("medium.bin", dst);
        }
    }

    @Test
    void curlFetchesIpxe() throws Exception {
        Path dst = out.resolve("undionly.kpxe");
        Clients.Run r = Clients.run(out, List.of("curl", "-sS", "-o", dst.toString(), "tftp://127.0.0.1:" + port() + "/undionly.kpxe"));
        assertThat(r.exit()).as(r.output()).isZero();
        assertSame("undionly.kpxe", dst);
        Eventually.until(() -> fx.events.of(TftpEvents.Completed.class).stream().anyMatch(e -> e.file().equals("undionly.kpxe")),
                "completed event for undionly.kpxe");
    }
}
