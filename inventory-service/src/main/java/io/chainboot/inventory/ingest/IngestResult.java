package io.chainboot.inventory.ingest;

import io.chainboot.events.BootEvent;

import java.util.List;
import java.util.Set;

/**
 * What one ingest transaction did.
 *
 * @param stored     events new to the store
 * @param duplicates events already stored (replays, redeliveries): skipped
 * @param changed    MACs whose machine row or boot attempts changed
 * @param toPublish  events inventory itself produced (machine.registered), to publish after commit
 */
public record IngestResult(int stored, int duplicates, Set<String> changed, List<BootEvent> toPublish) {
}
