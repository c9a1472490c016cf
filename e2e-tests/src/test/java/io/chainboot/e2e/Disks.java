package io.chainboot.e2e;

import io.chainboot.e2e.harness.Chainboot;
import io.chainboot.e2e.harness.TestNamespace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Where iscsi-service finds a machine's disk, and waiting until a machine's spec reached the services. */
final class Disks {
    private Disks() {
    }

    /** A RAW disk assignment's image file, as docs/iscsi-service.md places it. */
    static Path raw(Path state, String image) {
        try {
            Path d = Files.createDirectories(state.resolve("iscsi").resolve("disks"));
            return d.resolve(image);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The spec travels inventory → Kafka (chainboot.machines) → script/dhcp/iscsi in-memory views:
     * wait until script-service renders the machine's sanboot script.
     */
    static void awaitScript(Chainboot cb, String mac, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        Chainboot.Http last = null;
        while (System.nanoTime() < end) {
            last = cb.http("GET", cb.scriptUrl("/api/preview/" + mac), null, false);
            if (last.ok() && last.body().contains("set initiator-iqn")) {
                return;
            }
            TestNamespace.sleep(300);
        }
        throw new IllegalStateException("script-service never rendered a sanboot script for " + mac + " within "
                + timeout.toSeconds() + " s (machine spec not propagated through chainboot.machines?): last answer "
                + (last == null ? "none" : "HTTP " + last.status() + " " + last.body()));
    }
}
