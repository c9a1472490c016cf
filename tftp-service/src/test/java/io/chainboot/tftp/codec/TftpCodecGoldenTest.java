package io.chainboot.tftp.codec;

import io.chainboot.events.Decoded;
import io.chainboot.tftp.transfer.Negotiated;
import io.chainboot.tftp.transfer.OptionLimits;
import io.chainboot.tftp.transfer.OptionNegotiation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Packets captured from real clients decode to the expected values and re-encode to the same bytes. */
class TftpCodecGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"tftp-hpa-rrq", "tftp-hpa-wrq", "atftp-rrq-options", "curl-rrq-blksize",
        "ovmf-rrq-probe", "ovmf-rrq", "ovmf-error-abort", "chainboot-oack-to-ovmf"})
    void capturedRequests(String name) throws Exception {
        byte[] bytes = resource(name + ".bin");
        String expected = new String(resource(name + ".parsed"), StandardCharsets.UTF_8).strip();
        Decoded<TftpPacket> d = TftpCodec.decode(ByteBuffer.wrap(bytes));
        assertThat(d.isValid()).as(d.toString()).isTrue();
        TftpPacket p = d.orElseThrow();
        assertThat(p.toString()).isEqualTo(expected);
        assertThat(TftpCodec.encode(p)).isEqualTo(bytes);
    }

    /** OVMF asks tsize, blksize=1468 and windowsize=4 and gets all three, byte for byte as captured. */
    @Test
    void answerToOvmfIsTheCapturedOack() throws Exception {
        TftpPacket.ReadRequest probe = (TftpPacket.ReadRequest) TftpCodec.decode(ByteBuffer.wrap(resource("ovmf-rrq-probe.bin"))).orElseThrow();
        Negotiated n = OptionNegotiation.negotiate(probe.options(), 850528, new OptionLimits(OptionLimits.blksizeForMtu(1500), 64, 1000));
        assertThat(TftpCodec.encode(new TftpPacket.OptionAck(n.oack()))).isEqualTo(resource("chainboot-oack-to-ovmf.bin"));
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = TftpCodecGoldenTest.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
