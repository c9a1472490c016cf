package io.chainboot.inventory.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.chainboot.events.BootStage;
import io.chainboot.events.EventJson;

import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** An attempt's {@code reached} column: stage name → first time reached, as a JSON object. */
final class ReachedJson {
    private ReachedJson() {
    }

    static Map<BootStage, Instant> read(String json) {
        Map<BootStage, Instant> out = new EnumMap<>(BootStage.class);
        try {
            Map<String, String> stored = EventJson.mapper().readValue(json, new TypeReference<>() {
            });
            stored.forEach((stage, time) -> out.put(BootStage.valueOf(stage), Instant.parse(time)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable reached stages " + json, e);
        }
        return out;
    }

    static String write(Map<BootStage, Instant> reached) {
        Map<String, String> m = new LinkedHashMap<>();
        reached.forEach((k, v) -> m.put(k.name(), v.toString()));
        try {
            return EventJson.mapper().writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
