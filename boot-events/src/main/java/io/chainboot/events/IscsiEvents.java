package io.chainboot.events;

import java.time.Instant;
import java.util.UUID;

/** Events published by iscsi-service; the MAC comes from the initiator IQN ({@link Names}) or the lease table. */
public final class IscsiEvents {
    private IscsiEvents() {
    }

    public enum SessionType {
        DISCOVERY,
        NORMAL
    }

    /** A login completed (the session reached full feature phase). */
    public record Login(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                        String initiatorIqn, String targetIqn, SessionType sessionType, int tsih)
            implements BootEvent {
    }

    /** A login was refused; {@code statusClass}/{@code statusDetail} are the RFC 7143 §11.13.5 codes sent. */
    public record LoginRejected(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                                String initiatorIqn, String targetIqn, String reason, int statusClass,
                                int statusDetail) implements BootEvent {
    }

    /** First successful READ CAPACITY and READ of a session: the initiator is using the disk. */
    public record LunAttached(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                              String initiatorIqn, String targetIqn, int lun, long blocks, int blockSize)
            implements BootEvent {
    }

    /** A session ended (logout or connection loss, see {@code reason}). */
    public record Logout(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                         String initiatorIqn, String targetIqn, long bytesRead, long bytesWritten,
                         long durationMs, String reason) implements BootEvent {
    }
}
