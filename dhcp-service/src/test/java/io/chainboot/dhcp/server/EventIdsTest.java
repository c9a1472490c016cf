package io.chainboot.dhcp.server;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Event ids: never the same twice in a process, and shaped as RFC 9562 version-4 UUIDs. */
class EventIdsTest {
    @Test
    void idsAreDistinctVersion4UuidsThatRoundTripThroughText() {
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            UUID id = EventIds.next();
            assertThat(id.version()).isEqualTo(4);
            assertThat(id.variant()).isEqualTo(2);
            assertThat(seen.add(id)).as("id %s repeated", id).isTrue();
        }
        UUID one = EventIds.next();
        assertThat(UUID.fromString(one.toString())).isEqualTo(one);
    }

    @Test
    void threadsDrawingAtOnceNeverShareAnId() throws InterruptedException {
        Set<UUID> seen = ConcurrentHashMap.newKeySet();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 50_000; i++) {
                    seen.add(EventIds.next());
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(seen).hasSize(200_000);
    }
}
