package io.chainboot.infra.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A service's {@code config/application.properties} as the launcher writes it (Quarkus reads it at ordinal 260). */
final class ServiceProperties {
    private ServiceProperties() {
    }

    /** The file's text: one {@code key=value} per setting, escaped as java.util.Properties reads it. Pure. */
    static String text(Map<String, String> settings) {
        StringBuilder b = new StringBuilder("# written by ./chainboot up; regenerated on every start\n");
        settings.forEach((k, v) -> b.append(k).append('=').append(escape(v)).append('\n'));
        return b.toString();
    }

    /** Writes the file afresh, readable by its owner only (it holds the database password and the secrets). */
    static void write(Path file, Map<String, String> settings) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, StateDirectory.ownerOnly());
        Files.writeString(file, text(settings));
    }

    private static String escape(String v) {
        StringBuilder b = new StringBuilder();
        for (char c : v.toCharArray()) {
            if (c == '\\' || c == '\n' || c == '\r' || c == '#' || c == '!' || c == '=' || c == ':') {
                b.append('\\');
            }
            b.append(c == '\n' ? 'n' : c == '\r' ? 'r' : c);
        }
        if (!v.isEmpty() && v.charAt(0) == ' ') {
            b.insert(0, '\\');
        }
        return b.toString();
    }
}
