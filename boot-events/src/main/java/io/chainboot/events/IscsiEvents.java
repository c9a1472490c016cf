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

    /**
     * Who logged in, as far as the login's ISID tells (RFC 7143 §10.12.5: its first 4 bytes name the
     * initiator's vendor). Both the boot firmware and the OS use the IQN the machine's script set
     * (the OS takes it from the iBFT), so the IQN cannot tell them apart; the ISID can.
     */
    public enum InitiatorKind {
        /** iPXE (ISID type 01b "IANA enterprise number", enterprise 10019, Fen Systems = iPXE). */
        BOOT_FIRMWARE,
        /** Any other ISID: the booted OS's own initiator (open-iscsi's is OUI 00:02:3d, Windows' OUI format too). */
        OS,
        /** No ISID in the event (published by an older iscsi-service). */
        UNKNOWN;

        /** iPXE sets ISID bytes 0-3 to 0x40 | IANA enterprise number 10019 (0x002723). */
        static final String IPXE_ISID_PREFIX = "40002723";

        /** The kind of initiator behind an ISID of 12 hex digits; UNKNOWN for null or malformed. */
        public static InitiatorKind ofIsid(String isid) {
            if (isid == null || !isid.matches("[0-9a-fA-F]{12}")) {
                return UNKNOWN;
            }
            return isid.toLowerCase(java.util.Locale.ROOT).startsWith(IPXE_ISID_PREFIX) ? BOOT_FIRMWARE : OS;
        }
    }

    /**
     * A login completed (the session reached full feature phase). {@code isid}: the initiator's
     * session ID, 12 hex digits (null from publishers older than the field).
     */
    public record Login(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                        String initiatorIqn, String targetIqn, SessionType sessionType, int tsih, String isid)
            implements BootEvent {
        /** A login without its ISID (its initiator kind is UNKNOWN). */
        public Login(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip,
                     String initiatorIqn, String targetIqn, SessionType sessionType, int tsih) {
            this(id, time, source, mac, ip, initiatorIqn, targetIqn, sessionType, tsih, null);
        }

        /** Boot firmware (iPXE), the OS, or unknown, from {@link #isid}. */
        public InitiatorKind initiator() {
            return InitiatorKind.ofIsid(isid);
        }
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
