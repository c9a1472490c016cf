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
     * A profile file written into {@code <state>/profiles} is read by script-service within its scan
     * interval (5 s); the inventory refuses a machine naming a profile script-service has not loaded.
     */
    static void awaitProfile(Chainboot cb, String profile, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        Chainboot.Http last = null;
        while (System.nanoTime() < end) {
            last = cb.http("GET", cb.scriptUrl("/api/profiles/" + profile), null, false);
            if (last.ok()) {
                return;
            }
            TestNamespace.sleep(500);
        }
        throw new IllegalStateException("script-service never loaded profile " + profile + " within " + timeout.toSeconds()
                + " s: last answer " + (last == null ? "none" : "HTTP " + last.status() + " "
                + cb.http("GET", cb.scriptUrl("/api/profiles"), null, false).body()));
    }

    /**
     * The spec travels inventory → Kafka (chainboot.machines) → script/dhcp/iscsi in-memory views:
     * wait until script-service renders the machine's sanboot script.
     */
    static void awaitScript(Chainboot cb, String mac, Duration timeout) {
        awaitScript(cb, mac, "set initiator-iqn", timeout);
    }

    /**
     * Waits until iscsi-service's own view holds the machine's spec (its pre-flight names the target):
     * each service reads chainboot.machines on its own, so script-service rendering the script does
     * not mean iscsi-service can serve the login yet. A test that then freezes or stops Kafka must
     * wait for this, or the login is refused as it would be for any machine iscsi-service never heard of.
     */
    static void awaitTarget(Chainboot cb, String mac, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        Chainboot.Http last = null;
        while (System.nanoTime() < end) {
            last = cb.http("GET", cb.iscsiUrl("/api/disks/" + mac + "/preflight"), null, true);
            if (last.ok() && last.body().contains("\"lun-0\"")) {
                return;
            }
            TestNamespace.sleep(300);
        }
        throw new IllegalStateException("iscsi-service never knew the target of " + mac + " within " + timeout.toSeconds()
                + " s: last pre-flight " + (last == null ? "none" : "HTTP " + last.status() + " " + last.body()));
    }

    /** Waits until script-service's preview for {@code mac} contains {@code expected} (its spec and profile arrived). */
    static void awaitScript(Chainboot cb, String mac, String expected, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        Chainboot.Http last = null;
        while (System.nanoTime() < end) {
            last = cb.http("GET", cb.scriptUrl("/api/preview/" + mac), null, false);
            if (last.ok() && last.body().contains(expected)) {
                return;
            }
            TestNamespace.sleep(300);
        }
        throw new IllegalStateException("script-service never rendered a script with '" + expected + "' for " + mac + " within "
                + timeout.toSeconds() + " s (machine spec not propagated through chainboot.machines?): last answer "
                + (last == null ? "none" : "HTTP " + last.status() + " " + last.body()));
    }
}
