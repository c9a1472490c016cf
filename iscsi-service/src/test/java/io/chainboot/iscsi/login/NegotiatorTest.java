package io.chainboot.iscsi.login;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NegotiatorTest {

    private static Map<String, String> keys(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** iPXE restates the RFC defaults explicitly. */
    @Test
    void ipxeDefaultsComeBackUnchanged() {
        Negotiator n = new Negotiator(Negotiator.Limits.DEFAULT);
        Map<String, String> a = n.negotiate(keys("HeaderDigest", "None", "DataDigest", "None",
                "InitialR2T", "Yes", "ImmediateData", "Yes", "MaxBurstLength", "262144",
                "FirstBurstLength", "65536", "MaxRecvDataSegmentLength", "8192", "DefaultTime2Wait", "2",
                "DefaultTime2Retain", "20", "MaxOutstandingR2T", "1", "DataPDUInOrder", "Yes",
                "DataSequenceInOrder", "Yes", "ErrorRecoveryLevel", "0", "MaxConnections", "1"), false);
        assertThat(a).containsEntry("InitialR2T", "Yes").containsEntry("ImmediateData", "Yes")
                .containsEntry("MaxBurstLength", "262144").containsEntry("FirstBurstLength", "65536")
                .containsEntry("MaxOutstandingR2T", "1").containsEntry("ErrorRecoveryLevel", "0")
                .containsEntry("HeaderDigest", "None").containsEntry("MaxRecvDataSegmentLength", "262144")
                .doesNotContainKey("DataDigestX");
        assertThat(n.params().initiatorMaxRecvDataSegmentLength).isEqualTo(8192);
        assertThat(n.params().initialR2T).isTrue();
    }

    /** open-iscsi offers InitialR2T=No, ImmediateData=Yes and large bursts. */
    @Test
    void resultFunctionsMinMaxOrAnd() {
        Negotiator n = new Negotiator(new Negotiator.Limits(65536, 1048576, 262144, 4, false, false, true));
        Map<String, String> a = n.negotiate(keys("InitialR2T", "No", "ImmediateData", "Yes",
                "MaxBurstLength", "16776192", "FirstBurstLength", "16776192", "MaxOutstandingR2T", "32",
                "DefaultTime2Wait", "0", "DefaultTime2Retain", "60", "ErrorRecoveryLevel", "2",
                "HeaderDigest", "CRC32C,None"), false);
        assertThat(a).containsEntry("InitialR2T", "No") // OR of No, No
                .containsEntry("ImmediateData", "No") // AND with our No
                .containsEntry("MaxBurstLength", "1048576") // min
                .containsEntry("FirstBurstLength", "262144")
                .containsEntry("MaxOutstandingR2T", "4")
                .containsEntry("DefaultTime2Wait", "2") // max
                .containsEntry("DefaultTime2Retain", "20") // min
                .containsEntry("ErrorRecoveryLevel", "0")
                .containsEntry("HeaderDigest", "CRC32C");
        assertThat(n.params().headerDigest).isTrue();
        assertThat(n.params().maxBurstLength).isEqualTo(1048576);
    }

    @Test
    void malformedAndUnknownKeys() {
        Negotiator n = new Negotiator(Negotiator.Limits.DEFAULT);
        Map<String, String> a = n.negotiate(keys("MaxBurstLength", "12", "InitialR2T", "Maybe",
                "X-com.example.Foo", "1", "HeaderDigest", "MD5", "OFMarker", "Yes", "IFMarkInt", "1~65535"), false);
        assertThat(a).containsEntry("MaxBurstLength", "Reject").containsEntry("InitialR2T", "Reject")
                .containsEntry("X-com.example.Foo", "NotUnderstood").containsEntry("HeaderDigest", "Reject")
                .containsEntry("OFMarker", "No").containsEntry("IFMarkInt", "Irrelevant");
    }

    @Test
    void firstBurstNeverExceedsMaxBurst() {
        Negotiator n = new Negotiator(Negotiator.Limits.DEFAULT);
        n.negotiate(keys("MaxBurstLength", "4096", "FirstBurstLength", "65536"), false);
        assertThat(n.params().firstBurstLength).isEqualTo(4096);
    }
}
