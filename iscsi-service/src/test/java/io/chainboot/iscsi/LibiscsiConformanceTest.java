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
 * 64 MiB sparse LUN 0, counted per test: a test that printed {@code [SKIPPED]} (the target lacks what
 * it needs) is a skip, not the pass libiscsi's own summary makes of it. Today 183 real passes (tgtd
 * 160), 46 skips, every test of the groups issue 5 requires, and none of the groups issue 19 implemented
 * (persistent reservations, RESERVE(6), REPORT SUPPORTED OPCODES, ORWRITE, PRE-FETCH, DPO/FUA, COMPARE AND
 * WRITE) skips.
 * Known failure, also failed by tgtd: iSCSIdatasn.iSCSIDataSnInvalid (see docs/iscsi-service.md).
 */
@QuarkusTest
@TestProfile(IscsiTestProfile.class)
class LibiscsiConformanceTest {
    static final List<String> REQUIRED = List.of("Inquiry", "TestUnitReady", "ReadCapacity10", "ReadCapacity16",
            "Read6", "Read10", "Read12", "Read16", "Write10", "Write12", "Write16", "Verify10", "Verify16",
            "SynchronizeCache10", "SynchronizeCache16", "ModeSense6", "ReportLuns", "Unmap", "WriteSame10",
            "WriteSame16", "iSCSIcmdsn", "iSCSIdatasn", "iSCSIResiduals", "iSCSITMF");
    /** Suites (by prefix) implemented for issue 19: every one of their tests must run and pass, none skip. */
    static final List<String> NO_SKIPS = List.of("Prin", "Prout", "Reserve6.", "ReportSupportedOpcodes.", "OrWrite.",
            "Prefetch10.", "Prefetch16.", "Read10.DpoFua", "Read12.DpoFua", "Read16.DpoFua", "Write10.DpoFua",
            "Write12.DpoFua", "Write16.DpoFua", "Verify10.Dpo", "Verify12.Dpo", "Verify16.Dpo", "WriteVerify10.Dpo",
            "WriteVerify12.Dpo", "WriteVerify16.Dpo", "CompareAndWrite.Simple", "CompareAndWrite.DpoFua",
            "CompareAndWrite.Miscompare", "CompareAndWrite.Unwritten");
    static final List<String> KNOWN_FAILURES = List.of("iSCSIdatasn.iSCSIDataSnInvalid");
    /** Real passes measured on 2026-12-03 (libiscsi-bin 1.19): 183 (tgtd 160); see the assertion. */
    static final int REAL_PASSES_FLOOR = 183;
    static final Pattern SUMMARY = Pattern.compile("^\\s+tests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)", Pattern.MULTILINE);

    @Inject
    IscsiService service;

    @Test
    void resultsCountASkipAsASkipAndAFailureAsAFailure() {
        String verbose = """
                    [SKIPPED] PERSISTENT RESERVE IN is not implemented.

                Suite: Read10
                  Test: Simple ...passed
                  Test: DpoFua ...    [SKIPPED] REPORT_SUPPORTED_OPCODES is not implemented.
                    [SKIPPED] REPORT_SUPPORTED_OPCODES is not implemented.
                passed
                  Test: Async ...passed    [SKIPPED] PERSISTENT RESERVE IN is not implemented.
                Suite: iSCSIdatasn
                  Test: iSCSIDataSnInvalid ...
                    some output
                FAILED
                    1. test_iscsi_datasn_invalid.c:120  - CU_ASSERT_EQUAL(ret,-1)
                """;
        assertThat(IscsiTestCu.results(verbose)).containsExactly(
                Map.entry("Read10.Simple", IscsiTestCu.Outcome.PASSED),
                Map.entry("Read10.DpoFua", IscsiTestCu.Outcome.SKIPPED),
                Map.entry("Read10.Async", IscsiTestCu.Outcome.PASSED),
                Map.entry("iSCSIdatasn.iSCSIDataSnInvalid", IscsiTestCu.Outcome.FAILED));
    }

    @Test
    void passesAtLeastAsManyAsTgtdAndEveryRequiredGroup() throws Exception {
        String url = "iscsi://127.0.0.1:" + service.address().getPort() + "/" + IscsiTestProfile.SUITE + "/0";
        Tools.Result r = Tools.run(300, IscsiTestCu.command("ALL", url).toArray(String[]::new));
        Matcher m = SUMMARY.matcher(r.output());
        assertThat(m.find()).as(r.output()).isTrue();
        int ran = Integer.parseInt(m.group(2));
        int passed = Integer.parseInt(m.group(3));
        Map<String, IscsiTestCu.Outcome> results = IscsiTestCu.results(r.output());
        List<String> failed = IscsiTestCu.of(results, IscsiTestCu.Outcome.FAILED);
        List<String> skipped = IscsiTestCu.of(results, IscsiTestCu.Outcome.SKIPPED);
        int realPasses = IscsiTestCu.of(results, IscsiTestCu.Outcome.PASSED).size();
        System.out.printf("iscsi-test-cu: %d tests ran, %d passed (libiscsi counts %d: skips as passes), %d skipped,"
                + " %d failed: %s%nskipped: %s%n", ran, realPasses, passed, skipped.size(), failed.size(), failed, skipped);
        assertThat(ran).isEqualTo(230);
        assertThat(results).as("one outcome per test that ran").hasSize(ran);
        assertThat(failed).as("failures").isSubsetOf(KNOWN_FAILURES);
        // Tests that really ran and passed, counted per test (tgtd: 160 on this machine); what still skips
        // is listed with its reason in docs/iscsi-service.md (Conformance).
        assertThat(skipped).as("skipped tests of the groups issue 19 implemented")
                .noneMatch(t -> NO_SKIPS.stream().anyMatch(t::startsWith));
        assertThat(results.keySet().stream().filter(t -> NO_SKIPS.stream().anyMatch(t::startsWith)).count())
                .as("tests of those groups that ran").isEqualTo(61);
        assertThat(realPasses).as("tests that ran and passed (skipped: %s)", skipped).isGreaterThanOrEqualTo(REAL_PASSES_FLOOR);
        List<String> requiredFailures = failed.stream()
                .filter(f -> REQUIRED.contains(f.substring(0, f.indexOf('.'))))
                .filter(f -> !KNOWN_FAILURES.contains(f)).toList();
        assertThat(requiredFailures).isEmpty();
        assertThat(results.keySet()).contains("iSCSIcmdsn.iSCSICmdSnTooHigh", "iSCSITMF.AbortTaskSimpleAsync",
                "Read16.Simple", "Write16.Simple");
    }
}
