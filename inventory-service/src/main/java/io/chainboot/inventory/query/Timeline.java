package io.chainboot.inventory.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One boot attempt: its stages with durations and every event in it, in event-time order. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Timeline(UUID id, String mac, Instant startedAt, String stage, String progress, Instant stageSince,
                       String reason, String profile, Map<String, String> reached,
                       Map<String, Long> stageMillis, Long bootMillis, List<Entry> events) {

    public record Entry(UUID id, String type, Instant time, String source, String ip, JsonNode event) {
    }
}
