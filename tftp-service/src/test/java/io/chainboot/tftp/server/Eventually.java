package io.chainboot.tftp.server;

import java.util.function.BooleanSupplier;

/** Waits for a condition the server reaches asynchronously (events are published after the last ACK). */
final class Eventually {
    private Eventually() {
    }

    static void until(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("never happened: " + what);
            }
            Thread.sleep(10);
        }
    }
}
