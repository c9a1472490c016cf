package io.chainboot.dhcp.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.chainboot.dhcp.boot.ClientInfo;
import io.chainboot.dhcp.codec.DhcpCodec;
import io.chainboot.dhcp.codec.DhcpPacket;
import io.chainboot.dhcp.codec.SubOptions;
import io.chainboot.events.Decoded;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the decoder: any bytes give a {@link Decoded} (never an exception), every accessor the
 * server uses is safe on what decodes, and a decoded packet re-encodes to bytes that decode to an
 * equal packet. In the normal suite it replays the corpus in src/test/resources (regression mode);
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=DhcpDecoderFuzzTest} fuzzes for real.
 */
class DhcpDecoderFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void decodeNeverThrowsAndRoundTrips(byte[] data) {
        Decoded<DhcpPacket> d = DhcpCodec.decode(data);
        if (!(d instanceof Decoded.Valid<DhcpPacket> v)) {
            return;
        }
        DhcpPacket p = v.value();
        p.messageType();
        p.mac();
        p.clientUuid();
        p.userClasses();
        p.maxMessageSize();
        ClientInfo.of(p);
        p.options().bytes(43).ifPresent(SubOptions::decode);
        p.options().bytes(175).ifPresent(SubOptions::decode);
        if (p.sname().length() < 64 && p.file().length() < 128) {
            DhcpPacket again = DhcpCodec.decode(DhcpCodec.encode(p, 65000)).orElseThrow();
            assertThat(again.options()).isEqualTo(p.options());
            assertThat(again.xid()).isEqualTo(p.xid());
        }
    }
}
