package io.chainboot.iscsi.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainboot.events.DiskEvents;
import io.chainboot.events.DiskKind;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Names;
import io.chainboot.iscsi.IscsiService;
import io.chainboot.iscsi.IscsiTestProfile;
import io.chainboot.common.testing.RecordingPublisher;
import io.chainboot.iscsi.SwitchableMachines;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Overlay disks through the real target with qemu-img (qemu-utils, qemu-block-extra) and libiscsi
 * (libiscsi-bin): two machines on one golden image see their own writes only, reset brings back
 * the golden content, promote makes a new golden image, and machine A's initiator cannot log in to
 * machine B's target.
 */
@QuarkusTest
@TestProfile(IscsiTestProfile.class)
class OverlayTargetsTest {
    static final String PREFIX = Names.DEFAULT_IQN_PREFIX;
    static final MacAddress A = MacAddress.parse("52:54:00:0d:00:0a");
    static final MacAddress B = MacAddress.parse("52:54:00:0d:00:0b");

    @Inject
    IscsiService service;
    @Inject
    SwitchableMachines machines;
    @Inject
    DiskStore store;
    @Inject
    RecordingPublisher events;

    record Result(int exit, String output) {
    }

    static Result run(String... command) throws Exception {
        Path out = Files.createTempFile("cb-client", ".log");
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    String portal() {
        return "127.0.0.1:" + service.address().getPort();
    }

    String opts(MacAddress target, MacAddress initiator) {
        return "driver=iscsi,transport=tcp,portal=" + portal() + ",target=" + Names.targetIqn(PREFIX, target, null)
                + ",lun=0,initiator-name=" + Names.initiatorIqn(PREFIX, initiator);
    }

    byte[] readDisk(MacAddress mac, Path to) throws Exception {
        Files.deleteIfExists(to);
        Result r = run("qemu-img", "convert", "--image-opts", opts(mac, mac), "-O", "raw", to.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        return Files.readAllBytes(to);
    }

    static MachineSpec spec(MacAddress mac, String image) {
        return new MachineSpec(mac, null, null, null, "sanboot", null, null,
                new MachineSpec.DiskAssignment(DiskKind.OVERLAY, image, null), null, true, null, Instant.now());
    }

    @Test
    void twoMachinesOnOneGoldenImageResetPromoteAndNoCrossLogin() throws Exception {
        Path dir = Files.createDirectories(IscsiTestProfile.DIR.resolve("overlay-test"));
        byte[] golden = new byte[8 << 20];
        new Random(1).nextBytes(golden);
        Path goldenFile = dir.resolve("golden.raw");
        Files.write(goldenFile, golden);
        String image = "golden-" + ProcessHandle.current().pid();
        store.importImage(image, goldenFile, null);
        machines.put(spec(A, image));
        machines.put(spec(B, image));

        byte[] data = new byte[1 << 20];
        new Random(2).nextBytes(data);
        Path src = dir.resolve("data.raw");
        Files.write(src, data);
        Result w = run("qemu-img", "convert", "-n", "-f", "raw", src.toString(), "--target-image-opts", opts(A, A));
        assertThat(w.exit()).as(w.output()).isZero();

        byte[] a = readDisk(A, dir.resolve("a.raw"));
        byte[] expectedA = golden.clone();
        System.arraycopy(data, 0, expectedA, 0, data.length);
        assertThat(Arrays.equals(a, expectedA)).as("A reads its own write over the golden image").isTrue();
        byte[] b = readDisk(B, dir.resolve("b.raw"));
        assertThat(Arrays.equals(b, golden)).as("B does not see A's write").isTrue();

        // A's initiator, right IQN for A, cannot reach B's disk
        Result cross = run("iscsi-inq", "-i", Names.initiatorIqn(PREFIX, A),
                "iscsi://" + portal() + "/" + Names.targetIqn(PREFIX, B, null) + "/0");
        assertThat(cross.exit()).as(cross.output()).isNotZero();
        Result ls = run("iscsi-ls", "-i", Names.initiatorIqn(PREFIX, A), "iscsi://" + portal());
        assertThat(ls.output()).contains(Names.targetIqn(PREFIX, A, null)).doesNotContain(Names.targetIqn(PREFIX, B, null));

        // promote A: a new golden image with A's content; a third machine boots it
        DiskStore.Image promoted = store.promote(A, image + "-a", null);
        assertThat(Files.mismatch(store.imagePath(promoted.name()), dir.resolve("a.raw"))).isEqualTo(-1L);

        // reset A (its disk is being served: reset in place) brings back the golden content
        store.reset(A);
        assertThat(Arrays.equals(readDisk(A, dir.resolve("a2.raw")), golden)).as("A after reset").isTrue();
        assertThat(events.of(DiskEvents.Created.class)).anyMatch(c -> c.mac().equals(A) && c.image().equals(image));
        assertThat(events.of(DiskEvents.Reset.class)).anyMatch(r -> r.mac().equals(A));
        assertThat(events.of(DiskEvents.Promoted.class)).anyMatch(p -> p.mac().equals(A));
    }

    /** libiscsi's conformance suites that exercise the block device, against a machine's overlay. */
    @Test
    void iscsiTestCuOnAnOverlay() throws Exception {
        MacAddress c = MacAddress.parse("52:54:00:0d:00:0c");
        Path dir = Files.createDirectories(IscsiTestProfile.DIR.resolve("overlay-cu"));
        byte[] golden = new byte[32 << 20];
        new Random(3).nextBytes(golden);
        Path goldenFile = dir.resolve("golden.raw");
        Files.write(goldenFile, golden);
        String image = "cu-" + ProcessHandle.current().pid();
        store.importImage(image, goldenFile, null);
        machines.put(spec(c, image));
        String url = "iscsi://" + portal() + "/" + Names.targetIqn(PREFIX, c, null) + "/0";
        StringBuilder failures = new StringBuilder();
        for (String suite : new String[]{"SCSI.Read10", "SCSI.Read16", "SCSI.Write10", "SCSI.Write16",
                "SCSI.WriteVerify16", "SCSI.Verify16", "SCSI.Unmap", "SCSI.WriteSame10", "SCSI.WriteSame16",
                "SCSI.GetLBAStatus", "SCSI.ReadCapacity16"}) {
            Result r = run("iscsi-test-cu", "-d", "-n", "-i", Names.initiatorIqn(PREFIX, c), "-t", suite, url);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("tests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)")
                    .matcher(r.output());
            assertThat(m.find()).as("summary of %s:%n%s", suite, r.output()).isTrue();
            int ran = Integer.parseInt(m.group(2));
            int ok = Integer.parseInt(m.group(3));
            if (ran == 0 || ok != ran) {
                failures.append(suite).append(": ").append(ok).append('/').append(ran).append('\n');
                for (String line : r.output().split("\n")) {
                    if (line.contains("FAIL")) {
                        failures.append("  ").append(line).append('\n');
                    }
                }
            }
        }
        assertThat(failures.toString()).isEmpty();
    }
}
