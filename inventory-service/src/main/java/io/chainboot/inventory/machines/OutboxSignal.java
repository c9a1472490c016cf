package io.chainboot.inventory.machines;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Wakes the {@link OutboxRelay} when a transaction that wrote outbox rows commits in this process
 * (an API write, the machines file, a stall verdict), so the relay publishes at once instead of
 * polling the table several times a second while nothing happens; it still polls, slowly
 * ({@code outbox.poll-every}), for rows another inventory instance wrote.
 */
@ApplicationScoped
public class OutboxSignal {
    private final Semaphore raised = new Semaphore(0);

    /** Rows were committed. Raises at most one pending wake-up. */
    void raise() {
        if (raised.availablePermits() == 0) {
            raised.release();
        }
    }

    /** Waits up to {@code millis} for a wake-up and consumes it; whether one came. */
    boolean await(long millis) throws InterruptedException {
        boolean woke = raised.tryAcquire(millis, TimeUnit.MILLISECONDS);
        raised.drainPermits();
        return woke;
    }
}
