package io.chainboot.events;

import java.time.Instant;
import java.util.UUID;

/** Events published by script-service. */
public final class ScriptEvents {
    private ScriptEvents() {
    }

    /**
     * An iPXE script was served. {@code arch}/{@code platform} are iPXE's {@code buildarch}/{@code platform}.
     * {@code attachesSan}: whether the script logs in to the machine's iSCSI disk ({@code sanboot} or
     * {@code sanhook}); false when it does not (a kernel over HTTP, the local disk, a menu, another URL),
     * so no iSCSI stage can follow it; null from publishers older than this field.
     */
    public record Rendered(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                           String profile, String uuid, String arch, String platform, long durationMicros,
                           Boolean attachesSan)
            implements BootEvent {

        /** Without {@code attachesSan} (not known). */
        public Rendered(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                        String profile, String uuid, String arch, String platform, long durationMicros) {
            this(id, time, source, mac, ip, profile, uuid, arch, platform, durationMicros, null);
        }
    }

    /** A script could not be rendered; the machine got an error script that shows {@code reason}. */
    public record Failed(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                         String profile, String reason) implements BootEvent {
    }
}
