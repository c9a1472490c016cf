package io.chainboot.events;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InitiatorKindTest {
    @Test
    void iPxeIsKnownByItsIsidOthersAreTheOs() {
        // iPXE 1.0.0+git-20190125 (QEMU's ROM) leaves the qualifier zero, newer iPXE sets a random one
        assertThat(IscsiEvents.InitiatorKind.ofIsid("400027230000")).isEqualTo(IscsiEvents.InitiatorKind.BOOT_FIRMWARE);
        assertThat(IscsiEvents.InitiatorKind.ofIsid("400027239A3F")).isEqualTo(IscsiEvents.InitiatorKind.BOOT_FIRMWARE);
        // open-iscsi (iscsistart, iscsid): OUI format, 00:02:3d
        assertThat(IscsiEvents.InitiatorKind.ofIsid("00023d000001")).isEqualTo(IscsiEvents.InitiatorKind.OS);
        // IANA format with another enterprise number is not iPXE
        assertThat(IscsiEvents.InitiatorKind.ofIsid("400001370001")).isEqualTo(IscsiEvents.InitiatorKind.OS);
        assertThat(IscsiEvents.InitiatorKind.ofIsid(null)).isEqualTo(IscsiEvents.InitiatorKind.UNKNOWN);
        assertThat(IscsiEvents.InitiatorKind.ofIsid("4000")).isEqualTo(IscsiEvents.InitiatorKind.UNKNOWN);
    }

    @Test
    void aLoginKeepsItsIsidThroughJsonAndOldJsonHasNone() {
        IscsiEvents.Login l = new IscsiEvents.Login(java.util.UUID.randomUUID(), java.time.Instant.parse("2026-01-01T00:00:00Z"),
                new EventSource("iscsi-service", "t"), MacAddress.parse("52:54:00:12:34:56"), null, "iqn.a:b", "iqn.a:c",
                IscsiEvents.SessionType.NORMAL, 7, "00023d000001");
        String json = new String(EventJson.encode(l), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).contains("\"isid\":\"00023d000001\"").doesNotContain("\"initiator\"");
        Decoded<BootEvent> same = EventJson.decodeEvent(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(same).isEqualTo(new Decoded.Valid<BootEvent>(l));
        Decoded<BootEvent> old = EventJson.decodeEvent(json.replace(",\"isid\":\"00023d000001\"", "")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(old).isInstanceOf(Decoded.Valid.class);
        assertThat(((IscsiEvents.Login) ((Decoded.Valid<BootEvent>) old).value()).initiator())
                .isEqualTo(IscsiEvents.InitiatorKind.UNKNOWN);
    }
}
