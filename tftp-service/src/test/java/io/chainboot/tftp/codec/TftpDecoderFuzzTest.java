package io.chainboot.tftp.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.chainboot.events.Decoded;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Jazzer fuzzing of the decoder: it must never throw, and whatever it accepts must survive an
 * encode → decode round trip. Runs as a regression test over the seeds in
 * {@code src/test/resources/io/chainboot/tftp/codec/TftpDecoderFuzzTestInputs/} by default, and
 * fuzzes for 10 s when {@code JAZZER_FUZZ=1} (the module's surefire config sets it).
 */
class TftpDecoderFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void decodeNeverThrows(byte[] input) {
        Decoded<TftpPacket> d = TftpCodec.decode(ByteBuffer.wrap(input));
        if (d instanceof Decoded.Valid<TftpPacket> v) {
            TftpPacket p = v.value();
            byte[] again = TftpCodec.encode(p);
            Decoded<TftpPacket> d2 = TftpCodec.decode(ByteBuffer.wrap(again));
            if (!d2.isValid() || !d2.orElseThrow().equals(p)) {
                throw new AssertionError("round trip changed " + p + " into " + d2 + " from " + Arrays.toString(input));
            }
        }
        TftpCodec.peekAck(ByteBuffer.wrap(input));
    }
}
