package io.chainboot.common.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a Prometheus text scrape ({@code /q/metrics}) for the naming rules of docs/metrics.md. */
public final class MetricsText {
    private static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) \\S+$", Pattern.MULTILINE);

    private MetricsText() {
    }

    /** Every metric family of the scrape, by its {@code # TYPE} line. */
    public static List<String> families(String scrape) {
        List<String> out = new ArrayList<>();
        Matcher m = TYPE.matcher(scrape);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The {@code chainboot_} families whose HELP line is missing, empty or only the name. */
    public static List<String> chainbootFamiliesWithoutHelp(String scrape) {
        List<String> out = new ArrayList<>();
        for (String f : families(scrape)) {
            if (!f.startsWith("chainboot_")) {
                continue;
            }
            Matcher help = Pattern.compile("^# HELP " + Pattern.quote(f) + " (.*)$", Pattern.MULTILINE).matcher(scrape);
            if (!help.find() || help.group(1).isBlank() || help.group(1).trim().equals(f)) {
                out.add(f);
            }
        }
        return out;
    }
}
