package io.chainboot.common.testing;

import java.time.Duration;
import java.util.Optional;

/**
 * Waits for a condition a server reaches asynchronously (an event published after the last ACK, a
 * counter, a file, a port a child process binds): polls every 10 ms and fails naming {@code what}
 * when it never holds. The one polling loop for tests; a timed-out wait is a failure, never a pass.
 * A probe that throws has not held yet (the service may not listen yet); when time runs out, its
 * last exception is the failure's cause.
 */
public final class Eventually {
    /** How long {@link #until(Condition, String)} waits. */
    public static final Duration DEFAULT = Duration.ofSeconds(10);

    private Eventually() {
    }

    /** A condition that may throw while the thing it looks at is not there yet. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A probe that finds a value, or nothing yet. */
    @FunctionalInterface
    public interface Probe<T> {
        Optional<T> find() throws Exception;
    }

    public static void until(Condition condition, String what) throws InterruptedException {
        until(condition, what, DEFAULT);
    }

    public static void until(Condition condition, String what, Duration timeout) throws InterruptedException {
        found(() -> condition.holds() ? Optional.of(Boolean.TRUE) : Optional.empty(), what, timeout);
    }

    /** Polls {@code probe} until it finds a value, and returns it. */
    public static <T> T found(Probe<T> probe, String what, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (true) {
            try {
                Optional<T> value = probe.find();
                if (value.isPresent()) {
                    return value.get();
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception | AssertionError e) {
                last = e;
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("never happened in " + timeout.toSeconds() + " s: " + what, last);
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
