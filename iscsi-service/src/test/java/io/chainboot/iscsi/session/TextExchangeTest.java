package io.chainboot.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Text requests answered without a socket: SendTargets (RFC 7143 Appendix C) and NotUnderstood. */
class TextExchangeTest {
    static final List<String> VISIBLE = List.of("iqn.t:a", "iqn.t:b");
    static final TextExchange.View DISCOVERY = new TextExchange.View(true, null, VISIBLE, "10.0.0.1:3260");
    static final TextExchange.View NORMAL = new TextExchange.View(false, "iqn.t:b", VISIBLE, "10.0.0.1:3260");

    static String answer(String request, TextExchange.View view) {
        byte[] out = TextExchange.answer(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)), view).orElseThrow();
        return new String(out, StandardCharsets.UTF_8).replace('\0', '|');
    }

    @Test
    void sendTargetsAllInDiscoveryListsEveryVisibleTargetWithThePortal() {
        assertThat(answer("SendTargets=All\0", DISCOVERY)).isEqualTo(
                "TargetName=iqn.t:a|TargetAddress=10.0.0.1:3260,1|TargetName=iqn.t:b|TargetAddress=10.0.0.1:3260,1|");
    }

    @Test
    void inANormalSessionAllAndEmptyMeanThisSessionsTarget() {
        assertThat(answer("SendTargets=All\0", NORMAL)).isEqualTo("TargetName=iqn.t:b|TargetAddress=10.0.0.1:3260,1|");
        assertThat(answer("SendTargets=\0", NORMAL)).isEqualTo("TargetName=iqn.t:b|TargetAddress=10.0.0.1:3260,1|");
        assertThat(answer("SendTargets=\0", DISCOVERY)).isEmpty();
    }

    @Test
    void aNamedTargetIsListedOnlyWhenVisible() {
        assertThat(answer("SendTargets=iqn.t:a\0", NORMAL)).isEqualTo("TargetName=iqn.t:a|TargetAddress=10.0.0.1:3260,1|");
        assertThat(answer("SendTargets=iqn.t:secret\0", DISCOVERY)).isEmpty();
    }

    @Test
    void otherKeysAreNotUnderstoodAndGarbageIsRefused() {
        assertThat(answer("X-Vendor=1\0", NORMAL)).isEqualTo("X-Vendor=NotUnderstood|");
        assertThat(TextExchange.answer(ByteBuffer.wrap("no equals sign\0".getBytes(StandardCharsets.UTF_8)), NORMAL))
                .isEmpty();
    }

    @Test
    void portalIsTheConfiguredAddressElseTheSocketsWithIpv6InBrackets() {
        assertThat(TextExchange.portal("192.0.2.7", 3260, "10.0.0.1", 4000)).isEqualTo("192.0.2.7:3260");
        assertThat(TextExchange.portal(null, 3260, "10.0.0.1", 4000)).isEqualTo("10.0.0.1:4000");
        assertThat(TextExchange.portal(" ", 3260, "fd00::1", 3260)).isEqualTo("[fd00::1]:3260");
        assertThat(TextExchange.portal("[fd00::2]", 3260, null, 0)).isEqualTo("[fd00::2]:3260");
    }
}
