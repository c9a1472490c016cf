package io.chainboot.inventory.machines;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutboxSignalTest {
    @Test
    void aCommitWakesTheRelayOnceAndNothingWakesItOtherwise() throws Exception {
        OutboxSignal signal = new OutboxSignal();
        assertThat(signal.await(20)).as("nothing committed: the relay waits its poll interval").isFalse();
        signal.raise();
        signal.raise(); // two commits before the relay looked: one pass publishes both
        long t0 = System.nanoTime();
        assertThat(signal.await(60_000)).isTrue();
        assertThat(System.nanoTime() - t0).as("woken, not timed out").isLessThan(30_000_000_000L);
        assertThat(signal.await(20)).as("the second raise was absorbed by the first wake-up").isFalse();
    }
}
