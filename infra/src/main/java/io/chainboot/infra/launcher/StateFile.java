package io.chainboot.infra.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code <state>/run/chainboot.state}: one line per running component, tab-separated —
 * name, pid, ports ({@code 8082/tcp,67/udp}), health ({@code http://…/q/health/ready} or
 * {@code tcp://host:port}), log file. Written by the supervisor once everything is healthy,
 * deleted when it stops; read by {@code ./chainboot status} and {@code down}.
 */
public final class StateFile {
    public static final String HEADER = "# chainboot state: component\tpid\tports\thealth\tlog";

    /** One component as recorded. */
    public record Entry(String name, long pid, String ports, String health, String log) {
        public Entry {
            for (String f : List.of(name, ports, health, log)) {
                if (f.contains("\t") || f.contains("\n")) {
                    throw new IllegalArgumentException("state field with a tab or newline: " + f);
                }
            }
        }
    }

    private StateFile() {
    }

    public static Path path(Path state) {
        return state.resolve("run").resolve("chainboot.state");
    }

    public static String format(List<Entry> entries) {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (Entry e : entries) {
            b.append(e.name()).append('\t').append(e.pid()).append('\t').append(e.ports().isEmpty() ? "-" : e.ports())
                    .append('\t').append(e.health().isEmpty() ? "-" : e.health()).append('\t').append(e.log()).append('\n');
        }
        return b.toString();
    }

    /** Lines that are not five tab-separated fields with a numeric pid are skipped. */
    public static List<Entry> parse(String text) {
        List<Entry> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 5) {
                continue;
            }
            try {
                out.add(new Entry(f[0], Long.parseLong(f[1]), f[2].equals("-") ? "" : f[2], f[3].equals("-") ? "" : f[3], f[4]));
            } catch (NumberFormatException e) {
                // skip a damaged line
            }
        }
        return out;
    }

    public static void write(Path state, List<Entry> entries) throws IOException {
        Path file = path(state);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, format(entries));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static Optional<List<Entry>> read(Path state) {
        try {
            return Optional.of(parse(Files.readString(path(state))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
