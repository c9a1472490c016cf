package io.chainboot.iscsi.disk;

import static io.chainboot.iscsi.disk.Disks.block;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during overlay writes, reopen, verify: every acknowledged block (FUA, or written before
 * a completed flush) reads back; a block whose write was in flight reads either its old (golden)
 * or its new content; every other block — including the golden blocks that share a grain with a
 * written one — reads the golden content; the map validates on open.
 */
class OverlayCrashTest {
    static final long BLOCKS = 32768; // 16 MiB, 256 grains

    @TempDir
    Path dir;

    @Test
    void killMinus9DuringWritesLosesNoAcknowledgedBlock() throws Exception {
        Path golden = Disks.goldenImage(dir.resolve("golden.img"), BLOCKS);
        Path ovl = dir.resolve("m.ovl");
        try (var g = Disks.openGolden(golden)) {
            OverlayBlockDevice.create(ovl, g, "golden@1", BLOCKS, 128);
        }
        // killed while writing (in-flight writes must not corrupt anything), then killed right after a
        // FUA write into a fresh grain was acknowledged (its map entry must already be durable)
        crashRound(golden, ovl, 1000, 150, false);
        crashRound(golden, ovl, 1001, 100, true);
        crashRound(golden, ovl, 1002, 300, false);
        crashRound(golden, ovl, 1003, 50, true);
    }

    private void crashRound(Path golden, Path ovl, long seed, int killAfterAcks, boolean pause) throws Exception {
        // what earlier rounds left (verified) is the baseline of this one
        byte[] before;
        try (OverlayBlockDevice o = OverlayBlockDevice.open(ovl, Disks.openGolden(golden), "golden@1", 0, "v", true)) {
            before = Disks.read(o, 0, (int) BLOCKS);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the child's log goes to a file (kernel-side once written, so it survives the kill -9)
        Path log = dir.resolve("writer-" + seed + ".log");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OverlayCrashWriter.class.getName(), golden.toString(), ovl.toString(), Long.toString(seed),
                Integer.toString(pause ? killAfterAcks : 0))
                .redirectOutput(log.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<Long, Integer> acked = new HashMap<>();
        Map<Long, Integer> inFlight = new HashMap<>();
        int acks = 0;
        boolean killed = false;
        int seen = 0;
        try {
            while (true) {
                boolean dead = killed || !p.isAlive();
                String text = Files.readString(log, StandardCharsets.US_ASCII);
                List<String> lines = List.of(text.substring(0, text.lastIndexOf('\n') + 1).split("\n"));
                boolean end = false;
                for (; seen < lines.size(); seen++) {
                    String[] f = lines.get(seen).split(" ");
                    if (f[0].isEmpty()) {
                        continue;
                    }
                    if (f[0].equals("END") || f[0].equals("PAUSED")) {
                        end = true;
                        continue;
                    }
                    long lba = Long.parseLong(f[1]);
                    int count = Integer.parseInt(f[2]);
                    int tag = Integer.parseInt(f[3]);
                    for (int i = 0; i < count; i++) {
                        (f[0].equals("A") ? acked : inFlight).put(lba + i, tag);
                    }
                    if (f[0].equals("A")) {
                        acks++;
                    }
                }
                if (dead) {
                    break; // everything it logged before dying is read
                }
                if (end || (!pause && acks >= killAfterAcks)) {
                    p.destroyForcibly(); // SIGKILL on Linux
                    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                    killed = true;
                    continue; // one more pass over the log
                }
                Thread.sleep(5);
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(acks).isGreaterThanOrEqualTo(killAfterAcks);
        assertThat(killed).isTrue();
        try (OverlayBlockDevice o = OverlayBlockDevice.open(ovl, Disks.openGolden(golden), "golden@1", 0, "v", true)) {
            byte[] all = Disks.read(o, 0, (int) BLOCKS);
            for (long lba = 0; lba < BLOCKS; lba++) {
                byte[] got = Arrays.copyOfRange(all, (int) lba * 512, (int) lba * 512 + 512);
                byte[] old = Arrays.copyOfRange(before, (int) lba * 512, (int) lba * 512 + 512);
                Integer a = acked.get(lba);
                Integer w = inFlight.get(lba);
                if (a != null) {
                    assertThat(got).as("acknowledged block %d (round seed %d)", lba, seed).isEqualTo(block(lba, a));
                } else if (w != null) {
                    if (!Arrays.equals(got, block(lba, w))) {
                        assertThat(got).as("in-flight block %d", lba).isEqualTo(old);
                    }
                } else {
                    assertThat(got).as("untouched block %d", lba).isEqualTo(old);
                }
            }
            assertThat(acked).isNotEmpty();
        }
    }
}
