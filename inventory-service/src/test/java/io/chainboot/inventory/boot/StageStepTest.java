package io.chainboot.inventory.boot;

import io.chainboot.events.EventSource;
import io.chainboot.events.BootStage;
import io.chainboot.events.EventType;
import io.chainboot.events.HttpEvents;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.IscsiEvents;
import io.chainboot.events.MacAddress;
import io.chainboot.events.ScriptEvents;
import io.chainboot.events.TftpEvents;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** A failure step carries its event's type (what code branches on); the stored reason is derived from it. */
class StageStepTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:00:00:01");
    static final Ipv4Address IP = Ipv4Address.parse("10.0.0.10");
    static final Instant T = Instant.parse("2026-01-01T10:00:00Z");
    static final EventSource SRC = new EventSource("test", "t");

    @Test
    void everyFailureEventIsAFailedStepOfItsType() {
        assertThat(StageStep.of(new TftpEvents.Failed(UUID.randomUUID(), T, SRC, MAC, IP, "undionly.kpxe", "file not found", 0)))
                .isEqualTo(new StageStep.Failed(EventType.TFTP_FAILED, "undionly.kpxe: file not found"));
        assertThat(StageStep.of(new ScriptEvents.Failed(UUID.randomUUID(), T, SRC, MAC, IP, "linux", "template error")))
                .isEqualTo(new StageStep.Failed(EventType.SCRIPT_FAILED, "template error"));
        assertThat(StageStep.of(new IscsiEvents.LoginRejected(UUID.randomUUID(), T, SRC, MAC, IP, "iqn.x:i", "iqn.x:t",
                "authentication failed", 2, 1)))
                .isEqualTo(new StageStep.Failed(EventType.ISCSI_LOGIN_REJECTED, "authentication failed"));
        assertThat(StageStep.of(new HttpEvents.Failed(UUID.randomUUID(), T, SRC, null, IP, "ipxe.efi", 404, "no such boot file")))
                .isEqualTo(new StageStep.Failed(EventType.HTTP_FAILED, "ipxe.efi: no such boot file"));
    }

    /** UEFI HTTP Boot's loader over HTTP is the same stage as a TFTP download of it. */
    @Test
    void aBootFileOverHttpLoadsTheFirmwareStageLikeTftp() {
        assertThat(StageStep.of(new HttpEvents.Completed(UUID.randomUUID(), T, SRC, MAC, IP, "ipxe.efi", 1_000_000, 90)))
                .isEqualTo(new StageStep.Reached(BootStage.FIRMWARE_LOADED))
                .isEqualTo(StageStep.of(new TftpEvents.Completed(UUID.randomUUID(), T, SRC, MAC, IP, "ipxe.efi", 1_000_000,
                        90, 1468, 4, 0)));
    }

    @Test
    void theStoredReasonIsTheTypesWireNameAndTheDetail() {
        assertThat(new StageStep.Failed(EventType.TFTP_FAILED, "undionly.kpxe: file not found").reason())
                .isEqualTo("tftp.failed: undionly.kpxe: file not found");
        assertThat(new StageStep.Failed(EventType.ISCSI_LOGIN_REJECTED, "authentication failed").reason())
                .isEqualTo("iscsi.login-rejected: authentication failed");
    }
}
