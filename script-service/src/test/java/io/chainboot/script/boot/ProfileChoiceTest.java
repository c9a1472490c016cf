package io.chainboot.script.boot;

import io.chainboot.common.MachineDirectory;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.script.profile.Profile;
import io.chainboot.script.profile.ProfileParser;
import io.chainboot.script.profile.ProfileSet;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ProfileChoiceTest {
    static final MacAddress KNOWN = MacAddress.parse("52:54:00:00:00:01");
    static final MacAddress BY_UUID = MacAddress.parse("52:54:00:00:00:02");
    static final MacAddress STRANGER = MacAddress.parse("52:54:00:00:00:03");
    static final String UUID = "8a3c1f2e-1111-2222-3333-444455556666";

    /** A directory of two machines: one with a profile, one (known by UUID) with labels only. */
    static final MachineDirectory MACHINES = new MachineDirectory() {
        final MachineSpec a = new MachineSpec(KNOWN, null, "ws01", null, "sanboot", Map.of(), Map.of(), null, null, true, null, Instant.EPOCH);
        final MachineSpec b = new MachineSpec(MacAddress.parse("52:54:00:99:99:99"), UUID, null, null, null,
                Map.of("room", "b12"), Map.of(), null, null, true, null, Instant.EPOCH);

        public Optional<MachineSpec> byMac(MacAddress mac) {
            return mac.equals(KNOWN) ? Optional.of(a) : Optional.empty();
        }

        public Optional<MachineSpec> byUuid(String uuid) {
            return UUID.equalsIgnoreCase(uuid) ? Optional.of(b) : Optional.empty();
        }

        public Collection<MachineSpec> all() {
            return List.of(a, b);
        }
    };

    static Profile p(String yaml) {
        return ProfileParser.parse(yaml, "t").orElseThrow();
    }

    static final ProfileSet PROFILES = ProfileSet.of(List.of(
            p("name: menu\nkind: menu\nitems: [{profile: local}]\n"),
            p("name: local\nkind: local\n"),
            p("name: sanboot\nkind: sanboot\n"),
            p("name: room-b12\nkind: local\nselector: {room: b12}\n"),
            p("name: dell-efi\nkind: local\npriority: 10\nselector: {manufacturer: Dell Inc., platform: efi}\n"),
            p("name: any-efi\nkind: local\nselector: {platform: efi}\n")), List.of());

    static BootFacts facts(MacAddress mac, String uuid, String platform, String manufacturer, String profile) {
        return new BootFacts(mac, uuid, "x86_64", platform, manufacturer, null, null, profile);
    }

    static ProfileChoice choose(BootFacts f) {
        return ProfileChoice.choose(f, MACHINES, PROFILES, "menu");
    }

    @Test
    void byMacTheMachinesOwnProfile() {
        ProfileChoice c = choose(facts(KNOWN, null, "efi", null, null));
        assertThat(c.name()).isEqualTo("sanboot");
        assertThat(c.reason()).isEqualTo("machine");
        assertThat(c.spec().hostname()).isEqualTo("ws01");
    }

    @Test
    void byUuidThenLabelSelector() {
        ProfileChoice c = choose(facts(BY_UUID, UUID, "pcbios", null, null));
        assertThat(c.spec()).isNotNull();
        assertThat(c.name()).isEqualTo("room-b12");
        assertThat(c.reason()).isEqualTo("selector");
    }

    @Test
    void selectorsOnRequestFactsByPriority() {
        assertThat(choose(facts(STRANGER, null, "efi", "Dell Inc.", null)).name()).isEqualTo("dell-efi");
        assertThat(choose(facts(STRANGER, null, "efi", "HP", null)).name()).isEqualTo("any-efi");
    }

    @Test
    void unknownMachinesGetTheDefault() {
        ProfileChoice c = choose(facts(STRANGER, null, "pcbios", null, null));
        assertThat(c.name()).isEqualTo("menu");
        assertThat(c.reason()).isEqualTo("default");
        assertThat(c.spec()).isNull();
    }

    @Test
    void aMenuChoiceWinsAndAMissingProfileIsReported() {
        assertThat(choose(facts(KNOWN, null, "efi", null, "local")).name()).isEqualTo("local");
        ProfileChoice ghost = choose(facts(KNOWN, null, "efi", null, "ghost"));
        assertThat(ghost.name()).isEqualTo("ghost");
        assertThat(ghost.profile()).isNull();
    }

    @Test
    void baseUrlFromConfigOrACleanHostHeader() {
        assertThat(BaseUrl.of(Optional.of("http://boot.lan:8081/"), "http", "evil")).contains("http://boot.lan:8081");
        assertThat(BaseUrl.of(Optional.empty(), "http", "10.0.0.1:8081")).contains("http://10.0.0.1:8081");
        assertThat(BaseUrl.of(Optional.empty(), "http", "[fd00::1]:8081")).contains("http://[fd00::1]:8081");
        assertThat(BaseUrl.of(Optional.empty(), "http", "x\nshell")).isEmpty();
        assertThat(BaseUrl.of(Optional.empty(), "http", "h/${x}")).isEmpty();
        assertThat(BaseUrl.of(Optional.empty(), "http", null)).isEmpty();
    }
}
