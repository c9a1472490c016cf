package io.chainboot.common.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition a server reaches asynchronously (an event published after the last ACK, a
 * counter, a file): polls every 10 ms and fails naming {@code what} when it never holds. The one
 * polling loop for tests; a timed-out wait is a failure, never a pass.
 */
public final class Eventually {
    /** How long {@link #until(BooleanSupplier, String)} waits. */
    public static final Duration DEFAULT = Duration.ofSeconds(10);

    private Eventually() {
    }

    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        until(condition, what, DEFAULT);
    }

    public static void until(BooleanSupplier condition, String what, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("never happened in " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Retries {@code assertion} until it passes; after {@code timeout}, its last failure is the test's. */
    public static void untilAsserted(Runnable assertion, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() - end > 0) {
                    throw e;
                }
            }
            Thread.sleep(10);
        }
    }
}
