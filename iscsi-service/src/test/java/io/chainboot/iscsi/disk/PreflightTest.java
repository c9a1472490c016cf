package io.chainboot.iscsi.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainboot.events.DiskKind;
import io.chainboot.events.EventSource;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.iscsi.scsi.BlockDevice;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pre-flight checks with real files. */
class PreflightTest {
    static final MacAddress M = MacAddress.parse("52:54:00:aa:bb:cc");
    static final String PREFIX = "iqn.2026-01.io.chainboot";
    static final String SECRET = "a-cluster-secret-for-tests";

    @TempDir
    Path dir;

    static MachineSpec spec(DiskKind kind, String image, boolean chap) {
        return new MachineSpec(M, null, "pc1", null, "sanboot", Map.of(), Map.of(),
                new MachineSpec.DiskAssignment(kind, image, null), new MachineSpec.ChapPolicy(chap, false), true, null, null);
    }

    static Preflight.Status status(Preflight.Report r, String check) {
        return r.checks().stream().filter(c -> c.name().equals(check)).findFirst().orElseThrow().status();
    }

    @Test
    void catchesMissingImageChapWithoutSecretAndAFullOverlay() throws Exception {
        DiskStore store = new DiskStore(dir.resolve("images"), dir.resolve("disks"), 128 * 512, e -> { },
                new EventSource("iscsi-service", "t"), PREFIX);
        Preflight.Report r = Preflight.run(store, M.toString(), Optional.of(spec(DiskKind.OVERLAY, "win", true)), PREFIX,
                Optional.empty());
        assertThat(r.status()).isEqualTo(Preflight.Status.FAIL);
        assertThat(r.targetIqn()).isEqualTo(PREFIX + ":pc1");
        assertThat(status(r, "chap")).isEqualTo(Preflight.Status.FAIL);
        assertThat(status(r, "golden-image")).isEqualTo(Preflight.Status.FAIL);

        store.importImage("win", Disks.goldenImage(dir.resolve("win.raw"), 1024), null);
        r = Preflight.run(store, M.toString(), Optional.of(spec(DiskKind.OVERLAY, "win", true)), PREFIX, Optional.of("short"));
        assertThat(status(r, "chap")).isEqualTo(Preflight.Status.FAIL);
        assertThat(status(r, "golden-image")).isEqualTo(Preflight.Status.PASS);
        r = Preflight.run(store, M.toString(), Optional.of(spec(DiskKind.OVERLAY, "win", true)), PREFIX, Optional.of(SECRET));
        assertThat(r.status()).isEqualTo(Preflight.Status.PASS);
        assertThat(status(r, "lun-0")).isEqualTo(Preflight.Status.PASS);

        try (BlockDevice d = store.open(spec(DiskKind.OVERLAY, "win", true))) {
            d.write(0, 1, ByteBuffer.allocate(512), true); // the one grain the limit allows
        }
        r = Preflight.run(store, M.toString(), Optional.of(spec(DiskKind.OVERLAY, "win", true)), PREFIX, Optional.of(SECRET));
        assertThat(status(r, "block-size")).isEqualTo(Preflight.Status.PASS);
        assertThat(status(r, "overlay-space")).isEqualTo(Preflight.Status.FAIL);

        r = Preflight.run(store, M.toString(), Optional.empty(), PREFIX, Optional.empty());
        assertThat(r.status()).isEqualTo(Preflight.Status.FAIL);
        assertThat(r.checks()).singleElement().extracting(Preflight.Check::name).isEqualTo("machine");
    }
}
