package io.chainboot.inventory.ingest;


import java.util.Set;

/**
 * What one ingest transaction did.
 *
 * @param stored     events new to the store
 * @param duplicates events already stored (replays, redeliveries): skipped
 * @param changed    MACs whose machine row or boot attempts changed
 */
public record IngestResult(int stored, int duplicates, Set<String> changed) {
}
