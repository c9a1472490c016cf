package io.chainboot.inventory.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one inventory replica tells the others about a change it committed, so that every
 * replica's live stream shows it: machine rows changed (only their MACs: each replica reads the
 * rows from PostgreSQL itself, which the origin has already committed to), a machine deleted, or
 * another entity changed through the API. Pure: encoded as a PostgreSQL NOTIFY payload (JSON,
 * at most {@link #MAX_PAYLOAD} bytes — PostgreSQL's limit is 8000), decoded into an {@code Optional}
 * that is empty for anything not understood.
 *
 * @param origin the sending replica (its process's own random id: a replica ignores its own notices)
 */
public record LiveNotice(String origin, Kind kind, List<String> macs, LiveUpdates.Changed changed) {
    public static final int MAX_PAYLOAD = 7900;
    /** MACs per notice: 17 characters, quotes and a comma each, well under {@link #MAX_PAYLOAD}. */
    static final int MACS_PER_NOTICE = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Kind { ROWS, DELETED, CHANGED }

    public LiveNotice {
        macs = macs == null ? List.of() : List.copyOf(macs);
    }

    /** Machine rows changed: one notice per {@link #MACS_PER_NOTICE} MACs. */
    public static List<LiveNotice> rows(String origin, List<String> macs) {
        List<LiveNotice> out = new ArrayList<>();
        for (int i = 0; i < macs.size(); i += MACS_PER_NOTICE) {
            out.add(new LiveNotice(origin, Kind.ROWS, macs.subList(i, Math.min(macs.size(), i + MACS_PER_NOTICE)), null));
        }
        return out;
    }

    public static LiveNotice deleted(String origin, String mac) {
        return new LiveNotice(origin, Kind.DELETED, List.of(mac), null);
    }

    public static LiveNotice changed(String origin, LiveUpdates.Changed c) {
        return new LiveNotice(origin, Kind.CHANGED, List.of(), c);
    }

    public String encode() {
        ObjectNode o = JSON.createObjectNode().put("origin", origin).put("kind", kind.name());
        ArrayNode m = o.putArray("macs");
        macs.forEach(m::add);
        if (changed != null) {
            o.putObject("changed").put("kind", changed.kind()).put("id", changed.id()).put("method", changed.method())
                    .put("status", changed.status());
        }
        return o.toString();
    }

    public static Optional<LiveNotice> decode(String payload) {
        try {
            JsonNode o = JSON.readTree(payload);
            if (o == null || !o.isObject() || !o.path("origin").isTextual()) {
                return Optional.empty();
            }
            Kind kind = Kind.valueOf(o.path("kind").asText());
            List<String> macs = new ArrayList<>();
            for (JsonNode m : o.path("macs")) {
                if (!m.isTextual()) {
                    return Optional.empty();
                }
                macs.add(m.asText());
            }
            LiveUpdates.Changed c = null;
            if (kind == Kind.CHANGED) {
                JsonNode ch = o.path("changed");
                if (!ch.path("kind").isTextual() || !ch.path("method").isTextual() || !ch.path("status").isInt()) {
                    return Optional.empty();
                }
                c = new LiveUpdates.Changed(ch.path("kind").asText(), ch.path("id").isTextual() ? ch.path("id").asText() : null,
                        ch.path("method").asText(), ch.path("status").asInt());
            } else if (macs.isEmpty() || (kind == Kind.DELETED && macs.size() != 1)) {
                return Optional.empty();
            }
            return Optional.of(new LiveNotice(o.path("origin").asText(), kind, macs, c));
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
