package io.chainboot.iscsi;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * libiscsi's conformance suite ({@code iscsi-test-cu -d -t ALL}, Debian libiscsi-bin 1.19) against a
 * 64 MiB sparse LUN 0: at least as many passes as tgtd (222 of 230), and every test of the groups
 * issue 5 requires. Known failure, also failed by tgtd: iSCSIdatasn.iSCSIDataSnInvalid (see
 * docs/iscsi-service.md).
 */
@QuarkusTest
@TestProfile(IscsiTestProfile.class)
class LibiscsiConformanceTest {
    static final List<String> REQUIRED = List.of("Inquiry", "TestUnitReady", "ReadCapacity10", "ReadCapacity16",
            "Read6", "Read10", "Read12", "Read16", "Write10", "Write12", "Write16", "Verify10", "Verify16",
            "SynchronizeCache10", "SynchronizeCache16", "ModeSense6", "ReportLuns", "Unmap", "WriteSame10",
            "WriteSame16", "iSCSIcmdsn", "iSCSIdatasn", "iSCSIResiduals", "iSCSITMF");
    static final List<String> KNOWN_FAILURES = List.of("iSCSIdatasn.iSCSIDataSnInvalid");
    static final Pattern SUMMARY = Pattern.compile("^\\s+tests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)", Pattern.MULTILINE);

    @Inject
    IscsiService service;

    /** suite.test -> passed, from iscsi-test-cu's verbose output. */
    static Map<String, Boolean> results(String output) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        String suite = null;
        String test = null;
        for (String line : output.split("\n")) {
            Matcher s = Pattern.compile("^Suite: (\\S+)").matcher(line);
            if (s.find()) {
                suite = s.group(1);
                continue;
            }
            Matcher t = Pattern.compile("^\\s+Test: (\\S+) \\.\\.\\.").matcher(line);
            if (t.find()) {
                test = suite + "." + t.group(1);
                out.put(test, !line.contains("FAILED"));
            }
            if (test != null && (line.startsWith("FAILED") || line.contains("...FAILED"))) {
                out.put(test, false);
            }
        }
        return out;
    }

    @Test
    void passesAtLeastAsManyAsTgtdAndEveryRequiredGroup() throws Exception {
        String url = "iscsi://127.0.0.1:" + service.address().getPort() + "/" + IscsiTestProfile.SUITE + "/0";
        Tools.Result r = Tools.run(300, "iscsi-test-cu", "-d", "-t", "ALL", url);
        Matcher m = SUMMARY.matcher(r.output());
        assertThat(m.find()).as(r.output()).isTrue();
        int ran = Integer.parseInt(m.group(2));
        int passed = Integer.parseInt(m.group(3));
        Map<String, Boolean> results = results(r.output());
        List<String> failed = results.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
        System.out.printf("iscsi-test-cu: %d of %d passed; failed: %s%n", passed, ran, failed);
        assertThat(ran).isEqualTo(230);
        assertThat(passed).as("failed: " + failed).isGreaterThanOrEqualTo(222);
        List<String> requiredFailures = failed.stream()
                .filter(f -> REQUIRED.contains(f.substring(0, f.indexOf('.'))))
                .filter(f -> !KNOWN_FAILURES.contains(f)).toList();
        assertThat(requiredFailures).isEmpty();
        assertThat(results.keySet()).contains("iSCSIcmdsn.iSCSICmdSnTooHigh", "iSCSITMF.AbortTaskSimpleAsync",
                "Read16.Simple", "Write16.Simple");
    }
}
