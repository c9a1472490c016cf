package io.chainboot.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.time.Instant;
import java.util.UUID;

/**
 * One thing that happened to a machine on its way through the boot chain. The only definition
 * of every event shape on {@link Topics#BOOT_EVENTS}; docs/events.md is its catalogue.
 *
 * <p>Common fields: {@code id} (consumers are idempotent on it), {@code type} (the stable wire
 * name, owned by {@link EventType}), {@code time}, {@code source}, {@code mac} (null only when the
 * publisher could not resolve it) and {@code ip} (null when there is none yet).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface BootEvent
        permits DhcpEvents.Offered, DhcpEvents.Acked, DhcpEvents.Nak, DhcpEvents.Declined, DhcpEvents.Released,
        TftpEvents.Started, TftpEvents.Completed, TftpEvents.Failed,
        HttpEvents.Completed, HttpEvents.Failed,
        ScriptEvents.Rendered, ScriptEvents.Failed,
        IscsiEvents.Login, IscsiEvents.LoginRejected, IscsiEvents.LunAttached, IscsiEvents.Logout,
        DiskEvents.Created, DiskEvents.Reset, DiskEvents.Promoted,
        MachineEvents.Registered, MachineEvents.Updated,
        BootStalled {

    /** Version of the JSON shape; bumped only on an incompatible change. */
    int SCHEMA_VERSION = 1;

    UUID id();

    Instant time();

    EventSource source();

    /** Null only when the publisher saw no MAC and could not resolve one (then the key is the IP). */
    MacAddress mac();

    Ipv4Address ip();

    @JsonIgnore
    default EventType type() {
        return EventType.of(getClass());
    }

    @JsonProperty("schema")
    default int schema() {
        return SCHEMA_VERSION;
    }

    /** The Kafka record key: the MAC, or the IP when the MAC is unknown, or the id as a last resort. */
    @JsonIgnore
    default String key() {
        if (mac() != null) {
            return mac().toString();
        }
        if (ip() != null) {
            return ip().toString();
        }
        return id().toString();
    }
}
