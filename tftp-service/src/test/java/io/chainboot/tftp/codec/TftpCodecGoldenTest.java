package io.chainboot.tftp.codec;

import io.chainboot.events.Decoded;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Packets captured from real clients decode to the expected values and re-encode to the same bytes. */
class TftpCodecGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"tftp-hpa-rrq", "tftp-hpa-wrq", "atftp-rrq-options", "curl-rrq-blksize"})
    void capturedRequests(String name) throws Exception {
        byte[] bytes = resource(name + ".bin");
        String expected = new String(resource(name + ".parsed"), StandardCharsets.UTF_8).strip();
        Decoded<TftpPacket> d = TftpCodec.decode(ByteBuffer.wrap(bytes));
        assertThat(d.isValid()).as(d.toString()).isTrue();
        TftpPacket p = d.orElseThrow();
        assertThat(p.toString()).isEqualTo(expected);
        assertThat(TftpCodec.encode(p)).isEqualTo(bytes);
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = TftpCodecGoldenTest.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
