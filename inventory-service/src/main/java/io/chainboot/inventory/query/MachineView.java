package io.chainboot.inventory.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chainboot.events.MachineSpec;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A machine with its current boot attempt: one row of the dashboard and of {@code GET /api/machines}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MachineView(String mac, String hostname, String profile, String origin, String ip, String uuid,
                          Integer arch, String vendorClass, Instant firstSeen, Instant lastSeen,
                          UUID attemptId, String stage, String progress, Instant stageSince, Instant startedAt,
                          String reason, String bootProfile, Map<String, String> reached, Long bootMillis,
                          MachineSpec spec) {
}
