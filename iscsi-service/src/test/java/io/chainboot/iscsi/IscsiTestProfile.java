package io.chainboot.iscsi;

import io.chainboot.iscsi.scsi.FileBlockDevice;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Three static targets on a random port: an open 16 MiB disk whose first 4 MiB are random bytes,
 * a CHAP-protected disk, and a 64 MiB sparse disk for the libiscsi conformance suite.
 */
public class IscsiTestProfile implements QuarkusTestProfile {
    public static final String OPEN = "iqn.2026-01.io.chainboot:open";
    public static final String GUARDED = "iqn.2026-01.io.chainboot:guarded";
    public static final String SUITE = "iqn.2026-01.io.chainboot:suite";
    public static final String CHAP_USER = "chapuser";
    public static final String CHAP_SECRET = "right-secret-123";
    public static final String CLUSTER_SECRET = "cluster-secret-for-tests";
    public static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "cb-iscsi-test-" + ProcessHandle.current().pid());

    private static final java.util.concurrent.atomic.AtomicBoolean CLEANUP = new java.util.concurrent.atomic.AtomicBoolean();

    /** Deletes {@link #DIR} when the test JVM exits. */
    static void deleteOnExit() {
        if (CLEANUP.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (java.util.stream.Stream<Path> files = Files.walk(DIR)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException | java.io.UncheckedIOException e) {
                    // best effort (a file may vanish while the tree is walked)
                }
            }));
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        deleteOnExit();
        try {
            Files.createDirectories(DIR);
            Path open = DIR.resolve("open.img");
            byte[] head = new byte[4 << 20];
            new Random(42).nextBytes(head);
            Files.write(open, head);
            FileBlockDevice.createSparse(open, 16 << 20);
            FileBlockDevice.createSparse(DIR.resolve("guarded.img"), 1 << 20);
            Files.deleteIfExists(DIR.resolve("suite.img"));
            Files.deleteIfExists(DIR.resolve("suite.img.pr")); // its persistent reservations
            FileBlockDevice.createSparse(DIR.resolve("suite.img"), 64 << 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "chainboot.iscsi.disks-dir", DIR.resolve("disks").toString(),
                "chainboot.iscsi.images-dir", DIR.resolve("images").toString(),
                "chainboot.common.cluster-secret", CLUSTER_SECRET,
                "chainboot.iscsi.targets.\"" + OPEN + "\".image", DIR.resolve("open.img").toString(),
                "chainboot.iscsi.targets.\"" + GUARDED + "\".image", DIR.resolve("guarded.img").toString(),
                "chainboot.iscsi.targets.\"" + GUARDED + "\".chap-user", CHAP_USER,
                "chainboot.iscsi.targets.\"" + GUARDED + "\".chap-secret", CHAP_SECRET,
                "chainboot.iscsi.targets.\"" + SUITE + "\".image", DIR.resolve("suite.img").toString());
    }
}
