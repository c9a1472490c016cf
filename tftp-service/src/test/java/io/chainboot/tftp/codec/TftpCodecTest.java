package io.chainboot.tftp.codec;

import io.chainboot.events.Decoded;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Byte-exact encodings from RFC 1350 §5 / RFC 2347 §2 and the decoder's answers to bad input. */
class TftpCodecTest {

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    static Decoded<TftpPacket> decode(byte[] b) {
        return TftpCodec.decode(ByteBuffer.wrap(b));
    }

    @Test
    void ackIsFourBytes() {
        assertThat(TftpCodec.encode(new TftpPacket.Ack(0x1234))).isEqualTo(bytes(0, 4, 0x12, 0x34));
        assertThat(decode(bytes(0, 4, 0xFF, 0xFF)).orElseThrow()).isEqualTo(new TftpPacket.Ack(65535));
        assertThat(TftpCodec.peekAck(ByteBuffer.wrap(bytes(0, 4, 0, 7)))).isEqualTo(7);
        assertThat(TftpCodec.peekAck(ByteBuffer.wrap(bytes(0, 5, 0, 7)))).isEqualTo(-1);
    }

    @Test
    void dataCarriesBlockAndPayload() {
        byte[] enc = TftpCodec.encode(new TftpPacket.Data(1, new byte[] {'h', 'i'}));
        assertThat(enc).isEqualTo(bytes(0, 3, 0, 1, 'h', 'i'));
        assertThat(decode(enc).orElseThrow()).isEqualTo(new TftpPacket.Data(1, new byte[] {'h', 'i'}));
        ByteBuffer header = ByteBuffer.allocate(4);
        TftpCodec.putDataHeader(header, 65536L); // rolls over to 0
        assertThat(header.array()).isEqualTo(bytes(0, 3, 0, 0));
        TftpCodec.putDataHeader(header, 65537L);
        assertThat(header.array()).isEqualTo(bytes(0, 3, 0, 1));
    }

    @Test
    void errorHasCodeAndTerminatedMessage() {
        assertThat(TftpCodec.encode(new TftpPacket.Error(ErrorCode.FILE_NOT_FOUND, "nf")))
                .isEqualTo(bytes(0, 5, 0, 1, 'n', 'f', 0));
        TftpPacket.Error e = (TftpPacket.Error) decode(bytes(0, 5, 0, 8, 'x')).orElseThrow(); // unterminated: tolerated
        assertThat(e.code()).isEqualTo(ErrorCode.OPTION_REFUSED);
        assertThat(e.message()).isEqualTo("x");
        assertThat(((TftpPacket.Error) decode(bytes(0, 5, 0, 99, 0)).orElseThrow()).code()).isEqualTo(ErrorCode.NOT_DEFINED);
    }

    @Test
    void oackKeepsOrder() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("blksize", "1468");
        o.put("tsize", "10");
        byte[] enc = TftpCodec.encode(new TftpPacket.OptionAck(o));
        assertThat(enc).isEqualTo(bytes(0, 6, 'b', 'l', 'k', 's', 'i', 'z', 'e', 0, '1', '4', '6', '8', 0, 't', 's', 'i', 'z', 'e', 0, '1', '0', 0));
        assertThat(((TftpPacket.OptionAck) decode(enc).orElseThrow()).options()).containsExactly(
                Map.entry("blksize", "1468"), Map.entry("tsize", "10"));
    }

    @Test
    void optionNamesAndModeAreCaseInsensitive() {
        byte[] rrq = bytes(0, 1, 'f', 0, 'O', 'c', 'T', 'e', 'T', 0, 'B', 'L', 'K', 'S', 'I', 'Z', 'E', 0, '9', 0);
        TftpPacket.ReadRequest r = (TftpPacket.ReadRequest) decode(rrq).orElseThrow();
        assertThat(r.mode()).isEqualTo(TransferMode.OCTET);
        assertThat(r.options()).containsExactly(Map.entry("blksize", "9"));
    }

    @Test
    void trailingPaddingAfterOptionsIsTolerated() {
        byte[] rrq = bytes(0, 1, 'f', 0, 'o', 'c', 't', 'e', 't', 0, 0, 0, 0);
        assertThat(decode(rrq).isValid()).isTrue();
    }

    @Test
    void badInputIsAValueNotAnException() {
        assertThat(decode(bytes())).isInstanceOf(Decoded.Invalid.class);
        assertThat(decode(bytes(0))).isInstanceOf(Decoded.Invalid.class);
        assertThat(decode(bytes(0, 7))).isInstanceOf(Decoded.Invalid.class);
        assertThat(decode(bytes(0, 1, 'f'))).isInstanceOf(Decoded.Invalid.class);           // unterminated name
        assertThat(decode(bytes(0, 1, 0, 'o', 0))).isInstanceOf(Decoded.Invalid.class);     // empty name
        assertThat(decode(bytes(0, 1, 'f', 0, 'x', 0))).isInstanceOf(Decoded.Invalid.class); // unknown mode
        assertThat(decode(bytes(0, 1, 'f', 0, 'o', 'c', 't', 'e', 't', 0, 'a', 0, 'b'))).isInstanceOf(Decoded.Invalid.class);
        assertThat(decode(bytes(0, 4, 1))).isInstanceOf(Decoded.Invalid.class);
        assertThat(decode(bytes(0, 3, 1))).isInstanceOf(Decoded.Invalid.class);
        assertThat(((Decoded.Invalid<TftpPacket>) decode(bytes(0, 7))).reason()).contains("opcode 7");
    }

    @Test
    void decodingDoesNotMoveTheBuffer() {
        ByteBuffer b = ByteBuffer.wrap(bytes(0, 4, 0, 1));
        TftpCodec.decode(b);
        assertThat(b.position()).isZero();
    }
}
