package io.chainboot.tftp.transfer;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 2347/2348/2349/7440 negotiation: only requested options, clamped, invalid ones ignored. */
class OptionNegotiationTest {
    static final OptionLimits LIMITS = new OptionLimits(OptionLimits.blksizeForMtu(1500), 64, 1000);

    @Test
    void mtuCapIs1468For1500() {
        assertThat(OptionLimits.blksizeForMtu(1500)).isEqualTo(1468);
        assertThat(OptionLimits.blksizeForMtu(65536)).isEqualTo(65464);
        assertThat(OptionLimits.blksizeForMtu(300)).isEqualTo(512);
    }

    @Test
    void noOptionsMeansNoOack() {
        Negotiated n = OptionNegotiation.negotiate(Map.of(), 100, LIMITS);
        assertThat(n.needsOack()).isFalse();
        assertThat(n.blksize()).isEqualTo(512);
        assertThat(n.windowsize()).isEqualTo(1);
        assertThat(n.timeoutMs()).isEqualTo(1000);
        assertThat(n.tsize()).isNull();
    }

    @Test
    void ovmfStyleRequestGetsAllThree() {
        Map<String, String> req = new LinkedHashMap<>();
        req.put("tsize", "0");
        req.put("blksize", "1468");
        req.put("windowsize", "4");
        Negotiated n = OptionNegotiation.negotiate(req, 1_048_576, LIMITS);
        assertThat(n.oack()).containsExactly(Map.entry("tsize", "1048576"), Map.entry("blksize", "1468"), Map.entry("windowsize", "4"));
        assertThat(n.blksize()).isEqualTo(1468);
        assertThat(n.windowsize()).isEqualTo(4);
        assertThat(n.tsize()).isEqualTo(1_048_576L);
    }

    @Test
    void valuesAboveTheCapAreLowered() {
        Negotiated n = OptionNegotiation.negotiate(Map.of("blksize", "65464", "windowsize", "65535"), 1, LIMITS);
        assertThat(n.oack()).containsEntry("blksize", "1468").containsEntry("windowsize", "64");
    }

    @Test
    void invalidValuesAreIgnored() {
        Map<String, String> req = new LinkedHashMap<>();
        req.put("blksize", "7");
        req.put("windowsize", "0");
        req.put("timeout", "256");
        req.put("tsize", "-1");
        req.put("multicast", "");
        Negotiated n = OptionNegotiation.negotiate(req, 1, LIMITS);
        assertThat(n.needsOack()).isFalse();
        assertThat(OptionNegotiation.negotiate(Map.of("blksize", "99999999999"), 1, LIMITS).needsOack()).isFalse();
        assertThat(OptionNegotiation.negotiate(Map.of("blksize", " 512"), 1, LIMITS).needsOack()).isFalse();
    }

    @Test
    void timeoutIsInSeconds() {
        Negotiated n = OptionNegotiation.negotiate(Map.of("timeout", "3"), 1, LIMITS);
        assertThat(n.timeoutMs()).isEqualTo(3000);
        assertThat(n.oack()).containsExactly(Map.entry("timeout", "3"));
    }
}
