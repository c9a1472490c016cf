package io.chainboot.inventory.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * HELP text for inventory's meters registered without a description (in {@code ingest/} and
 * {@code machines/}), in one table, applied when they register: Prometheus shows
 * {@code # HELP name <text>} instead of a bare name. A meter that has its own description keeps it.
 * docs/metrics.md lists every metric.
 */
public class MetricHelp {
    static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("chainboot.inventory.events.stored", "Boot events stored in PostgreSQL for the first time"),
            Map.entry("chainboot.inventory.events.duplicate", "Boot events received again (same id) and ignored"),
            Map.entry("chainboot.inventory.events.invalid", "Kafka records that could not be decoded as a boot event (skipped, logged)"),
            Map.entry("chainboot.inventory.events.failed", "Boot events that could not be stored even one by one (skipped, logged)"),
            Map.entry("chainboot.inventory.db.retries", "Batch store attempts retried because PostgreSQL was unreachable"),
            Map.entry("chainboot.inventory.fold.resumed", "Machines whose boot attempt was folded on from the stored latest attempt"),
            Map.entry("chainboot.inventory.fold.refolded", "Machines re-folded from their stored events (late or correlated events)"),
            Map.entry("chainboot.inventory.outbox.sent", "Outbox rows (machine specs, tombstones, inventory events) published to Kafka"),
            Map.entry("chainboot.inventory.ingest.batch", "Time to store one Kafka batch of boot events, commit included"));

    @Produces
    @Singleton
    public MeterFilter help() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String text = HELP.get(id.getName());
                if (text == null || (id.getDescription() != null && !id.getDescription().isBlank())) {
                    return id;
                }
                return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(), text, id.getType());
            }
        };
    }
}
