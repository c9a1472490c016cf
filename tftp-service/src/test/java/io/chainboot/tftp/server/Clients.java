package io.chainboot.tftp.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a Debian TFTP client (tftp-hpa's tftp, atftp, curl) and waits for it. */
final class Clients {
    record Run(int exit, String output) {
    }

    private Clients() {
    }

    static Run run(Path workDir, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                throw new AssertionError("client did not finish: " + command);
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Run(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }
}
