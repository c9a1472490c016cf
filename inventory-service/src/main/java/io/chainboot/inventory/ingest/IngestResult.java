package io.chainboot.inventory.ingest;


import java.util.List;
import java.util.Set;

/**
 * What one ingest transaction did.
 *
 * @param stored     events new to the store
 * @param duplicates events already stored (replays, redeliveries): skipped
 * @param changed    MACs whose machine row or boot attempts changed
 * @param registered one line per machine registered on first sight: logged once committed
 */
public record IngestResult(int stored, int duplicates, Set<String> changed, List<String> registered) {
}
