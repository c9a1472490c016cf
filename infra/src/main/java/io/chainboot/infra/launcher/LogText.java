package io.chainboot.infra.launcher;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** How the launcher squeezes children's messages and log tails into what {@code ./chainboot up} prints. Pure. */
final class LogText {
    private LogText() {
    }

    static String shorten(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    /** The message of a child's failure, squeezed into one line: the reason, then its last log line. */
    static String firstLines(String msg) {
        String[] lines = msg.split("\n");
        String head = lines[0].trim();
        String last = "";
        for (int i = lines.length - 1; i > 0; i--) {
            if (!lines[i].isBlank()) {
                last = lines[i].trim();
                break;
            }
        }
        String out = last.isEmpty() ? head : head + " — " + last;
        return out.length() > 400 ? out.substring(0, 400) + "…" : out;
    }

    /** The last ERROR line of a log tail, else its last non-blank line. */
    static String lastMeaningfulLine(String tail) {
        String[] lines = tail.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].contains("ERROR")) {
                return shorten(lines[i].trim());
            }
        }
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                return shorten(lines[i].trim());
            }
        }
        return "(empty log)";
    }

    /**
     * The messages of a log tail's ERROR lines, in order, each once, without the time/level/logger
     * prefix, at most {@code max}: a service that refuses its configuration (machines.yaml, a
     * profile) logs one ERROR per problem before it exits, and {@code up} prints each of them.
     */
    static List<String> errorMessages(String tail, int max) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : tail.split("\n")) {
            if (out.size() >= max) {
                break;
            }
            int level = line.indexOf(" ERROR ");
            if (level < 0) {
                continue;
            }
            String msg = line.substring(level + 7).trim();
            if (msg.startsWith("[")) { // [logger] (thread) message
                int close = msg.indexOf("] ");
                msg = close < 0 ? msg : msg.substring(close + 2).trim();
                if (msg.startsWith("(")) {
                    int t = msg.indexOf(") ");
                    msg = t < 0 ? msg : msg.substring(t + 2).trim();
                }
            }
            if (!msg.isEmpty()) {
                out.add(shorten(msg));
            }
        }
        return List.copyOf(out);
    }
}
