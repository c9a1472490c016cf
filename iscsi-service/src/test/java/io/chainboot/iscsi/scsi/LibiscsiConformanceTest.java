package io.chainboot.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libiscsi's conformance suite ({@code iscsi-test-cu}, Debian libiscsi-bin 1.19) against the SCSI
 * layer on a 64 MiB sparse image, through {@link MiniIscsiTarget} on loopback. Every test of the
 * SCSI suites the issue names must pass.
 */
class LibiscsiConformanceTest {
    static final String TARGET = "iqn.2026-01.io.chainboot:conformance";
    /** The SCSI suites of libiscsi 1.19 this layer must pass (1.19 has no ReportLuns/SynchronizeCache suites). */
    static final String[] SUITES = {
        "SCSI.Inquiry", "SCSI.TestUnitReady", "SCSI.ReadCapacity10", "SCSI.ReadCapacity16",
        "SCSI.Read6", "SCSI.Read10", "SCSI.Read12", "SCSI.Read16",
        "SCSI.Write10", "SCSI.Write12", "SCSI.Write16",
        "SCSI.Verify10", "SCSI.Verify12", "SCSI.Verify16",
        "SCSI.WriteVerify10", "SCSI.WriteVerify12", "SCSI.WriteVerify16",
        "SCSI.ModeSense6", "SCSI.Unmap", "SCSI.WriteSame10", "SCSI.WriteSame16", "SCSI.GetLBAStatus",
        "SCSI.StartStopUnit", "SCSI.PreventAllow", "SCSI.NoMedia", "SCSI.Mandatory", "SCSI.ReadOnly",
        "SCSI.Prefetch10", "SCSI.Prefetch16", "SCSI.ReportSupportedOpcodes",
    };

    @TempDir
    Path dir;

    @Test
    void iscsiTestCuPassesEveryTestOfTheScsiSuites() throws Exception {
        assertThat(Path.of("/usr/bin/iscsi-test-cu")).as("iscsi-test-cu: apt-get install libiscsi-bin").isExecutable();
        Path img = FileBlockDevice.createSparse(dir.resolve("lun0.img"), 64L << 20);
        try (FileBlockDevice dev = FileBlockDevice.open(img, false);
                MiniIscsiTarget t = new MiniIscsiTarget(ScsiTargets.of(TARGET, List.of(dev)))) {
            List<String> failures = new ArrayList<>();
            int passed = 0;
            for (String suite : SUITES) {
                String out = run(t.port(), suite);
                Matcher m = Pattern.compile("tests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)").matcher(out);
                assertThat(m.find()).as("summary of %s:%n%s", suite, out).isTrue();
                int ran = Integer.parseInt(m.group(2));
                int ok = Integer.parseInt(m.group(3));
                passed += ok;
                if (ran == 0 || ok != ran) {
                    failures.add(suite + ": " + ok + "/" + ran + "\n" + failuresOf(out));
                }
            }
            assertThat(failures).as("passed %d tests", passed).isEmpty();
        }
    }

    static String failuresOf(String out) {
        StringBuilder b = new StringBuilder();
        for (String line : out.split("\n")) {
            if (line.contains("FAILED") || line.contains("Test:") && line.contains("FAIL")) {
                b.append("  ").append(line).append('\n');
            }
        }
        return b.toString();
    }

    static String run(int port, String suite) throws Exception {
        Process p = new ProcessBuilder("iscsi-test-cu", "-d", "-n", "-t", suite,
                "iscsi://127.0.0.1:" + port + "/" + TARGET + "/0")
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
