package io.chainboot.iscsi;

import io.chainboot.common.testing.Eventually;
import io.chainboot.iscsi.scsi.FileBlockDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.time.Duration;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged service as a child process, killed with SIGKILL while qemu-io writes through it:
 * after a restart every write that was acknowledged with FUA, or acknowledged and then flushed
 * (SYNCHRONIZE CACHE), reads back.
 */
class CrashDurabilityIT {
    static final String IQN = "iqn.2026-01.io.chainboot:crash";
    static final int CHUNK = 64 * 1024;
    static final int IN_FLIGHT_BYTES = 12 << 20;

    @TempDir
    Path dir;
    Process service;

    @AfterEach
    void stop() throws InterruptedException {
        if (service != null) {
            service.destroyForcibly();
            service.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process start(Path image, int port) throws Exception {
        String app = System.getProperty("iscsi.app", "target/quarkus-app/quarkus-run.jar");
        Process p = new ProcessBuilder("java", "-Xmx256m", "-Dchainboot.common.kafka-enabled=false",
                "-Dquarkus.http.port=0", "-Dchainboot.iscsi.bind-address=127.0.0.1", "-Dchainboot.iscsi.port=" + port,
                "-Dchainboot.iscsi.targets.\"" + IQN + "\".image=" + image, "-jar", app)
                .redirectErrorStream(true).redirectOutput(dir.resolve("service.log").toFile()).start();
        try {
            Eventually.until(() -> Tools.run(10, "iscsi-ls", "iscsi://127.0.0.1:" + port).output().contains(IQN),
                    "iscsi-ls lists " + IQN, Duration.ofSeconds(90));
        } catch (AssertionError e) {
            throw new AssertionError("service did not come up: " + Files.readString(dir.resolve("service.log")), e);
        }
        return p;
    }

    /** 4-KiB blocks from {@code offset} on whose first byte is {@code pattern}. */
    private static int blocksWith(FileChannel disk, long offset, int blocks, byte pattern) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        int n = 0;
        for (int b = 0; b < blocks; b++) {
            one.clear();
            if (disk.read(one, offset + (long) b * 4096) == 1 && one.get(0) == pattern) {
                n++;
            }
        }
        return n;
    }

    @Test
    void acknowledgedFuaAndFlushedWritesSurviveKill9() throws Exception {
        Path image = FileBlockDevice.createSparse(dir.resolve("disk.img"), 16 << 20);
        int port = freePort();
        String url = "iscsi://127.0.0.1:" + port + "/" + IQN + "/0";
        service = start(image, port);

        List<Integer> acknowledged = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            int pattern = 1 + i;
            String write = (i % 2 == 0 ? "write -f" : "write") + " -P " + pattern + " " + (long) i * CHUNK + " " + CHUNK;
            Tools.Result r = i % 2 == 0
                    ? Tools.run(60, "qemu-io", "-f", "raw", "-c", write, url)
                    : Tools.run(60, "qemu-io", "-f", "raw", "-c", write, "-c", "flush", url);
            if (r.exit() == 0 && !r.output().contains("failed")) {
                acknowledged.add(i);
            }
        }
        // a last batch of writes in flight when the service dies: killed as soon as its first block
        // reached the image, then shown to have been cut (some of its blocks written, not all)
        long inFlightAt = 24L * CHUNK;
        int inFlightBlocks = IN_FLIGHT_BYTES / 4096;
        // one command per 256 KiB, one after the other, 100 ms apart: the batch spans ~5 s, so a kill
        // right after its first block landed cuts it even when this JVM is starved for seconds (one
        // large command is written whole in a few ms; 48 commands back to back were all written
        // before the kill at load 50)
        List<String> batch = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
        for (long off = 0; off < IN_FLIGHT_BYTES; off += 256 * 1024) {
            batch.addAll(List.of("-c", "write -P 99 " + (inFlightAt + off) + " " + 256 * 1024, "-c", "sleep 100"));
        }
        batch.add(url);
        Process inFlight = new ProcessBuilder(batch)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (FileChannel disk = FileChannel.open(image, StandardOpenOption.READ)) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (blocksWith(disk, inFlightAt, 1, (byte) 99) == 0) {
                assertThat(inFlight.isAlive()).as("qemu-io ended before its write reached the image").isTrue();
                assertThat(System.nanoTime() - end).as("the in-flight write never reached the image").isNegative();
                Thread.onSpinWait();
            }
            service.destroyForcibly(); // SIGKILL
            service.waitFor(30, TimeUnit.SECONDS);
            int landed = blocksWith(disk, inFlightAt, inFlightBlocks, (byte) 99);
            assertThat(landed).as("the kill landed mid-write: some of the %d in-flight blocks written, not all", inFlightBlocks)
                    .isPositive().isLessThan(inFlightBlocks);
        }
        inFlight.destroyForcibly();
        inFlight.waitFor(30, TimeUnit.SECONDS);
        assertThat(acknowledged).hasSize(24);

        service = start(image, port);
        for (int i : acknowledged) {
            Tools.Result r = Tools.run(60, "qemu-io", "-f", "raw", "-c",
                    "read -P " + (1 + i) + " " + (long) i * CHUNK + " " + CHUNK, url);
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).as("write %d", i).doesNotContain("Pattern verification failed");
        }
        byte[] disk = Files.readAllBytes(image);
        for (int i : acknowledged) {
            for (int b = 0; b < CHUNK; b += 4096) {
                assertThat(disk[i * CHUNK + b]).isEqualTo((byte) (1 + i));
            }
        }
    }
}
