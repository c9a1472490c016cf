package io.chainboot.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;

/**
 * JSON codec for everything on the Chainboot topics. Pure: bytes in, values out. Unknown fields
 * are ignored (a newer producer may add some); an unknown {@code type} or a bad value is an
 * {@link Decoded.Invalid}, never an exception.
 */
public final class EventJson {
    private static final ObjectMapper MAPPER = newMapper();

    private EventJson() {
    }

    /** A mapper configured for the Chainboot wire format (ISO-8601 times, event subtypes registered). */
    public static ObjectMapper newMapper() {
        ObjectMapper m = new ObjectMapper();
        m.registerModule(new JavaTimeModule());
        m.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        m.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        m.disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
        for (EventType t : EventType.values()) {
            m.registerSubtypes(new NamedType(t.recordClass(), t.wireName()));
        }
        return m;
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] encode(BootEvent event) {
        if (event instanceof DhcpEvents.Reply) { // the DHCP hot path: written directly (DhcpJson), same bytes
            byte[] fast = DhcpJson.encode(event);
            if (fast != null) {
                return fast;
            }
        }
        return write(event);
    }

    public static byte[] encode(MachineSpec spec) {
        return write(spec);
    }

    public static byte[] encode(Lease lease) {
        byte[] fast = DhcpJson.encode(lease);
        return fast != null ? fast : write(lease);
    }

    /** Jackson's encoding of {@code value}, bypassing {@link DhcpJson}: what DhcpJson must equal (tests). */
    static byte[] encodeWithJackson(Object value) {
        return write(value);
    }

    public static Decoded<BootEvent> decodeEvent(byte[] json) {
        if (json == null) {
            return Decoded.invalid("no value");
        }
        try {
            JsonNode tree = MAPPER.readTree(json);
            if (tree == null || !tree.isObject()) {
                return Decoded.invalid("not a JSON object");
            }
            JsonNode type = tree.get("type");
            if (type == null || !type.isTextual()) {
                return Decoded.invalid("no event type");
            }
            if (EventType.fromWire(type.asText()) == null) {
                return Decoded.invalid("unknown event type '" + type.asText() + "'");
            }
            JsonNode schema = tree.get("schema");
            if (schema != null && schema.asInt() > BootEvent.SCHEMA_VERSION) {
                return Decoded.invalid("schema version " + schema.asInt() + " is newer than " + BootEvent.SCHEMA_VERSION);
            }
            BootEvent event = MAPPER.treeToValue(tree, BootEvent.class);
            if (event.id() == null || event.time() == null || event.source() == null) {
                return Decoded.invalid("event lacks id, time or source");
            }
            return Decoded.valid(event);
        } catch (IOException | IllegalArgumentException e) {
            return Decoded.invalid(reason(e));
        }
    }

    public static Decoded<MachineSpec> decodeMachine(byte[] json) {
        return read(json, MachineSpec.class);
    }

    public static Decoded<Lease> decodeLease(byte[] json) {
        return read(json, Lease.class);
    }

    private static <T> Decoded<T> read(byte[] json, Class<T> type) {
        if (json == null) {
            return Decoded.invalid("no value");
        }
        try {
            T value = MAPPER.readValue(json, type);
            return value == null ? Decoded.invalid("null") : Decoded.valid(value);
        } catch (IOException | IllegalArgumentException e) {
            return Decoded.invalid(reason(e));
        }
    }

    private static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    private static String reason(Exception e) {
        String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
            msg = cause.getMessage();
        }
        return msg == null ? e.getClass().getSimpleName() : msg;
    }
}
