package io.chainboot.iscsi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading libiscsi's {@code iscsi-test-cu} verbose output, run unbuffered ({@code stdbuf -o0 -e0}). */
public final class IscsiTestCu {
    private IscsiTestCu() {
    }

    /** The command line that runs {@code tests} (a suite regexp or ALL) against {@code url}, unbuffered. */
    public static List<String> command(String tests, String url) {
        // unbuffered: each [SKIPPED] line (stderr) lands inside its own test's output (stdout)
        return List.of("stdbuf", "-o0", "-e0", "iscsi-test-cu", "-d", "-v", "-t", tests, url);
    }

    /** What one test of iscsi-test-cu did. libiscsi reports a skipped test as passed: it is not one. */
    public enum Outcome { PASSED, SKIPPED, FAILED }

    /**
     * suite.test -> outcome, from iscsi-test-cu's verbose output: {@code Test: NAME ...} opens a test,
     * {@code passed} or {@code FAILED} ends it, and a {@code [SKIPPED]} line printed in between (the
     * target lacks what the test needs) makes it a skip, not a pass. A {@code [SKIPPED]} after the
     * verdict belongs to the next test's set-up, not to this one.
     */
    public static Map<String, Outcome> results(String output) {
        Map<String, Outcome> out = new LinkedHashMap<>();
        Pattern suiteLine = Pattern.compile("^Suite: (\\S+)");
        Pattern testLine = Pattern.compile("^\\s+Test: (\\S+) \\.\\.\\.");
        String suite = null;
        String open = null; // the test whose verdict has not been printed yet
        boolean skipped = false;
        for (String line : output.split("\n")) {
            Matcher s = suiteLine.matcher(line);
            if (s.find()) {
                suite = s.group(1);
                open = null;
                continue;
            }
            String rest = line;
            Matcher t = testLine.matcher(line);
            if (t.find()) {
                open = suite + "." + t.group(1);
                skipped = false;
                out.put(open, Outcome.FAILED); // until it says otherwise (a crash mid-test is a failure)
                rest = line.substring(t.end());
            }
            if (open == null) {
                continue;
            }
            int pass = rest.indexOf("passed");
            int fail = rest.indexOf("FAILED");
            int verdict = pass < 0 ? fail : fail < 0 ? pass : Math.min(pass, fail);
            int skip = rest.indexOf("[SKIPPED]");
            if (skip >= 0 && (verdict < 0 || skip < verdict)) {
                skipped = true;
            }
            if (verdict >= 0) {
                out.put(open, verdict == fail ? Outcome.FAILED : skipped ? Outcome.SKIPPED : Outcome.PASSED);
                open = null;
            }
        }
        return out;
    }

    public static List<String> of(Map<String, Outcome> results, Outcome outcome) {
        return results.entrySet().stream().filter(e -> e.getValue() == outcome).map(Map.Entry::getKey).toList();
    }

}
