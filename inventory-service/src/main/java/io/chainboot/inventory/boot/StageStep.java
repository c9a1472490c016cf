package io.chainboot.inventory.boot;

import io.chainboot.events.BootEvent;
import io.chainboot.events.BootStage;
import io.chainboot.events.BootStalled;
import io.chainboot.events.ClientKind;
import io.chainboot.events.DhcpEvents;
import io.chainboot.events.EventType;
import io.chainboot.events.HttpEvents;
import io.chainboot.events.IscsiEvents;
import io.chainboot.events.ScriptEvents;
import io.chainboot.events.TftpEvents;

/**
 * What one event means for a boot attempt (docs/architecture.md, "The boot chain"): the only
 * place the event → stage mapping lives. {@link #of} is total: every event has an answer.
 */
public sealed interface StageStep {

    /**
     * A boot client's DHCP: firmware (PXE ROM) reaches PXE_DHCP, iPXE reaches IPXE_DHCP. When
     * {@code offer} (the answer to a DISCOVER) it starts a new attempt after a finished one or one
     * already past {@code stage}: a client starting over always discovers, and a NIC whose option
     * ROM is iPXE (QEMU's, many servers') sends no firmware DHCP when it reboots, so its next boot
     * begins at IPXE_DHCP. An ACK after its attempt moved on never does: it answers a retransmitted
     * REQUEST of the exchange already counted (a server slow under load answers both).
     */
    record Dhcp(BootStage stage, boolean offer) implements StageStep {
    }

    /** The attempt reached {@code stage} (never moves an attempt backwards). */
    record Reached(BootStage stage) implements StageStep {
    }

    /**
     * A normal-session iSCSI login: the first → SAN_ATTACHED; after that, a login by the OS's own
     * initiator → OS_RUNNING. iPXE logs in again by itself (it reopens its SAN device when the
     * loaded boot code resets the disk, e.g. GRUB), so a later login by the boot firmware (its ISID
     * says iPXE) is not the OS; a login of UNKNOWN kind (no ISID in the event) counts as the OS from
     * the second one on, the rule before ISIDs were published.
     */
    record NormalLogin(IscsiEvents.InitiatorKind initiator) implements StageStep {
    }

    /**
     * The boot failed here: {@code cause} is the failure event's type, {@code detail} its own
     * reason (for tftp.failed and http.failed, the file too). What code may branch on is {@code cause}.
     */
    record Failed(EventType cause, String detail) implements StageStep {
        /** The attempt's stored reason: {@code <wire name of the type>: <detail>}. */
        public String reason() {
            return cause.wireName() + ": " + detail;
        }
    }

    /** inventory's own stall verdict for attempt {@code attemptId} at {@code stage}. */
    record Stalled(String attemptId, BootStage stage) implements StageStep {
    }

    /** Part of the timeline, no change of stage (tftp.started, logouts, OS DHCP, discovery sessions...). */
    record Neutral() implements StageStep {
    }

    static StageStep of(BootEvent e) {
        if (e instanceof DhcpEvents.Reply r) {
            return dhcp(r.client(), r instanceof DhcpEvents.Offered);
        }
        if (e instanceof TftpEvents.Completed) {
            return new Reached(BootStage.FIRMWARE_LOADED);
        }
        if (e instanceof TftpEvents.Failed f) {
            return new Failed(f.type(), f.file() + ": " + f.reason());
        }
        if (e instanceof HttpEvents.Completed) { // UEFI HTTP Boot: the loader over HTTP instead of TFTP
            return new Reached(BootStage.FIRMWARE_LOADED);
        }
        if (e instanceof HttpEvents.Failed f) {
            return new Failed(f.type(), f.file() + ": " + f.reason());
        }
        if (e instanceof ScriptEvents.Rendered) {
            return new Reached(BootStage.SCRIPT);
        }
        if (e instanceof ScriptEvents.Failed f) {
            return new Failed(f.type(), f.reason());
        }
        if (e instanceof IscsiEvents.LunAttached) {
            return new Reached(BootStage.SAN_ATTACHED);
        }
        if (e instanceof IscsiEvents.Login l) {
            return l.sessionType() == IscsiEvents.SessionType.NORMAL ? new NormalLogin(l.initiator()) : new Neutral();
        }
        if (e instanceof IscsiEvents.LoginRejected r) {
            return new Failed(r.type(), r.reason());
        }
        if (e instanceof BootStalled s) {
            return new Stalled(s.attemptId(), s.stage());
        }
        return new Neutral();
    }

    private static StageStep dhcp(ClientKind client, boolean offer) {
        if (client == ClientKind.FIRMWARE) {
            return new Dhcp(BootStage.PXE_DHCP, offer);
        }
        if (client == ClientKind.IPXE) {
            return new Dhcp(BootStage.IPXE_DHCP, offer);
        }
        return new Neutral();
    }
}
