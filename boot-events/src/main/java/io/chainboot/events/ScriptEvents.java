package io.chainboot.events;

import java.time.Instant;
import java.util.UUID;

/** Events published by script-service. */
public final class ScriptEvents {
    private ScriptEvents() {
    }

    /** An iPXE script was served. {@code arch}/{@code platform} are iPXE's {@code buildarch}/{@code platform}. */
    public record Rendered(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                           String profile, String uuid, String arch, String platform, long durationMicros)
            implements BootEvent {
    }

    /** A script could not be rendered; the machine got an error script that shows {@code reason}. */
    public record Failed(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                         String profile, String reason) implements BootEvent {
    }
}
