package io.chainboot.iscsi.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.chainboot.events.Decoded;
import io.chainboot.iscsi.login.TextKeys;
import io.chainboot.iscsi.pdu.Pdu;
import io.chainboot.iscsi.pdu.PduCodec;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Fuzzes the PDU decoder and the login text-key parser: whatever the bytes, they return a
 * {@link Decoded} and never throw. Fuzzes for a few seconds when JAZZER_FUZZ=1 (set for this
 * module's surefire run); otherwise replays the corpus in src/test/resources.
 */
class DecoderFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void decodersNeverThrow(FuzzedDataProvider in) {
        boolean headerDigest = in.consumeBoolean();
        boolean dataDigest = in.consumeBoolean();
        byte[] bytes = in.consumeRemainingAsBytes();
        Decoded<Pdu> pdu = PduCodec.decode(ByteBuffer.wrap(bytes), headerDigest, dataDigest);
        if (pdu instanceof Decoded.Valid<Pdu> v) {
            Pdu p = v.value();
            p.cdb();
            p.isid();
            Decoded<Map<String, String>> keys = TextKeys.parse(p.data());
            if (keys instanceof Decoded.Valid<Map<String, String>> k) {
                TextKeys.encode(k.value());
            }
        }
        TextKeys.parse(bytes);
    }
}
