package io.chainboot.iscsi.login;

import io.chainboot.events.Decoded;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TextKeysTest {
    @Test
    void parsesNulTerminatedPairsAndPadding() {
        byte[] b = "InitiatorName=iqn.a:b\0SessionType=Discovery\0\0\0".getBytes(StandardCharsets.UTF_8);
        Map<String, String> m = TextKeys.parse(b).orElseThrow();
        assertThat(m).containsExactly(Map.entry("InitiatorName", "iqn.a:b"), Map.entry("SessionType", "Discovery"));
    }

    @Test
    void emptyValueIsAllowed() {
        assertThat(TextKeys.parse("SendTargets=\0".getBytes(StandardCharsets.UTF_8)).orElseThrow())
                .containsEntry("SendTargets", "");
    }

    @Test
    void rejectsMalformedText() {
        assertThat(TextKeys.parse("NoEquals\0".getBytes(StandardCharsets.UTF_8))).isInstanceOf(Decoded.Invalid.class);
        assertThat(TextKeys.parse("A=1\0A=2\0".getBytes(StandardCharsets.UTF_8))).isInstanceOf(Decoded.Invalid.class);
        assertThat(TextKeys.parse(("K".repeat(64) + "=1\0").getBytes(StandardCharsets.UTF_8))).isInstanceOf(Decoded.Invalid.class);
        assertThat(TextKeys.parse("Bad Key=1\0".getBytes(StandardCharsets.UTF_8))).isInstanceOf(Decoded.Invalid.class);
    }

    @Test
    void encodeRoundTrips() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("TargetName", "iqn.x:y");
        m.put("TargetAddress", "127.0.0.1:3260,1");
        assertThat(TextKeys.parse(TextKeys.encode(m)).orElseThrow()).isEqualTo(m);
    }
}
