package io.chainboot.iscsi.disk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * qcow2, VMDK, VHDX and VDI images from the import directory become raw golden images through
 * {@code qemu-img convert} (Debian {@code qemu-utils}). The format is the one {@link ImageFormat}
 * read from the file's magic and is always passed with {@code -f}: qemu-img never probes. Before
 * converting, {@code qemu-img info} is asked and the image refused (400) if it would make qemu-img
 * read another file than the one named — a qcow2 backing file or external data file, a VMDK extent
 * elsewhere (a VMDK text descriptor is refused outright: its extents are other files) — so an
 * import cannot read arbitrary files of the server. The decisions ({@link #refusal}) are pure;
 * {@link #convert} only runs the two commands.
 */
public final class ImageConversion {
    private ImageConversion() {
    }

    /** qemu-img's name of each format {@link ImageFormat#detect} names. */
    static final Map<String, String> QEMU_FORMAT = Map.of("qcow2", "qcow2", "VMDK", "vmdk", "VHDX", "vhdx", "VDI", "vdi");
    static final String QEMU_IMG = "qemu-img";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** qemu-img is not installed: the import cannot convert (503 naming the package). */
    public static final class ToolMissing extends RuntimeException {
        ToolMissing(String message) {
            super(message);
        }
    }

    static List<String> infoCommand(String qemuImg, String format, Path source) {
        return List.of(qemuImg, "info", "--output=json", "-f", QEMU_FORMAT.get(format), source.toAbsolutePath().toString());
    }

    static List<String> convertCommand(String qemuImg, String format, Path source, Path target) {
        return List.of(qemuImg, "convert", "-p", "-f", QEMU_FORMAT.get(format), "-O", "raw",
                source.toAbsolutePath().toString(), target.toAbsolutePath().toString());
    }

    /** Why {@code qemu-img info}'s answer for {@code source} is refused, if it is. Pure. */
    static Optional<String> refusal(JsonNode info, Path source) {
        if (info.hasNonNull("backing-filename") || info.hasNonNull("full-backing-filename")) {
            return Optional.of("the image has a backing file (" + info.path("backing-filename").asText() + "): "
                    + "import a standalone image (qemu-img convert -O qcow2 without -B, or -O raw)");
        }
        JsonNode data = info.path("format-specific").path("data");
        if (data.hasNonNull("data-file")) {
            return Optional.of("the image keeps its data in an external file (" + data.path("data-file").asText() + ")");
        }
        String self = source.toAbsolutePath().normalize().toString();
        for (JsonNode extent : data.path("extents")) {
            String f = extent.path("filename").asText("");
            if (!f.isEmpty() && !Path.of(f).toAbsolutePath().normalize().toString().equals(self)) {
                return Optional.of("the VMDK has an extent in another file (" + f + "): import a monolithic VMDK");
            }
        }
        long size = info.path("virtual-size").asLong(-1);
        if (size <= 0 || size % 512 != 0) {
            return Optional.of("virtual size " + size + " is not a positive multiple of 512 bytes");
        }
        if (size > DiskStore.MAX_DISK_BYTES) {
            return Optional.of("virtual size " + size + " is over the limit of " + DiskStore.MAX_DISK_BYTES + " bytes");
        }
        return Optional.empty();
    }

    /**
     * Converts {@code source} (of {@code format}, as detected) to the raw file {@code target};
     * bad input is an {@link IllegalArgumentException} with qemu-img's words, and nothing is left
     * at {@code target}.
     */
    static void convert(String format, Path source, Path target) throws IOException {
        convert(format, source, target, null);
    }

    /** qemu-img's {@code -p} output, e.g. {@code "    (12.50/100%)"}: the percentage, or -1. Pure. */
    static double percent(String line) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\((\\d+(?:\\.\\d+)?)/100%\\)").matcher(line);
        double last = -1;
        while (m.find()) {
            last = Double.parseDouble(m.group(1));
        }
        return last;
    }

    /**
     * As {@link #convert(String, Path, Path)}, telling {@code progress} the bytes of the virtual
     * size converted so far (from qemu-img's {@code -p} percentage).
     */
    static void convert(String format, Path source, Path target, DiskStore.Progress progress) throws IOException {
        if (!QEMU_FORMAT.containsKey(format)) {
            throw new ImageFormat.Unsupported(format);
        }
        if (format.equals("VMDK")) {
            byte[] head = new byte[32];
            int n;
            try (var in = Files.newInputStream(source)) {
                n = in.readNBytes(head, 0, head.length);
            }
            if (new String(head, 0, n, StandardCharsets.US_ASCII).startsWith("# Disk DescriptorFile")) {
                throw new IllegalArgumentException("path: a VMDK descriptor file names other files as its extents; "
                        + "import the monolithic .vmdk (qemu-img convert -O vmdk -o subformat=monolithicSparse)");
            }
        }
        Result info = run(infoCommand(QEMU_IMG, format, source));
        if (info.rc != 0) {
            throw new IllegalArgumentException("path: not a valid " + format + " image: " + info.err);
        }
        Optional<String> refused = refusal(JSON.readTree(info.out), source);
        if (refused.isPresent()) {
            throw new IllegalArgumentException("path: " + refused.get());
        }
        long virtual = JSON.readTree(info.out).path("virtual-size").asLong(-1);
        try {
            Result conv = run(convertCommand(QEMU_IMG, format, source, target), progress == null ? null
                    : line -> {
                        double pct = percent(line);
                        if (pct >= 0) {
                            progress.copied((long) (virtual * pct / 100), virtual);
                        }
                    });
            if (conv.rc != 0) {
                throw new IllegalArgumentException("path: " + format + " image cannot be converted: " + conv.err);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(target);
            throw e;
        }
    }

    private record Result(int rc, String out, String err) {
    }

    private static Result run(List<String> command) throws IOException {
        return run(command, null);
    }

    /** Runs {@code command}; {@code lines} (if any) gets stdout's pieces as they come, split at CR or LF. */
    private static Result run(List<String> command, java.util.function.Consumer<String> lines) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(new ArrayList<>(command)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new ToolMissing("qemu-img is needed to import " + command.get(4) + " images and could not be run ("
                    + e.getMessage() + "): install the Debian package qemu-utils");
        }
        var err = new java.io.ByteArrayOutputStream();
        Thread drain = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // the process ended
            }
        }, "qemu-img-stderr");
        drain.start();
        String out;
        if (lines == null) {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } else {
            StringBuilder all = new StringBuilder();
            StringBuilder line = new StringBuilder();
            var r = new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8);
            int c;
            while ((c = r.read()) >= 0) {
                all.append((char) c);
                if (c == '\r' || c == '\n') {
                    lines.accept(line.toString());
                    line.setLength(0);
                } else {
                    line.append((char) c);
                }
            }
            lines.accept(line.toString());
            out = all.toString();
        }
        try {
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalArgumentException("path: qemu-img did not finish within 30 minutes");
            }
            drain.join(5000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8).trim());
    }
}
