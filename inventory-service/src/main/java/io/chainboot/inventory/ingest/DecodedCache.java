package io.chainboot.inventory.ingest;

import io.chainboot.events.BootEvent;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Recently stored events by id, decoded, least recently used dropped beyond {@code capacity}: a
 * re-fold reads a machine's stored events again, and decoding their JSON was the largest CPU cost
 * of a batch. Events are immutable per id, so a stale entry cannot exist; an entry of a rolled-back
 * batch is only used if the event is stored later (same id, same content).
 */
final class DecodedCache {
    private final Map<UUID, BootEvent> map;

    DecodedCache(int capacity) {
        this.map = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, BootEvent> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized BootEvent get(UUID id) {
        return map.get(id);
    }

    synchronized void put(UUID id, BootEvent e) {
        map.put(id, e);
    }
}
