package io.chainboot.iscsi.login;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Operational-stage negotiation (RFC 7143 §6.2, §13): for each key the initiator offers, compute the
 * result from the offer, our own value and the key's result function (§6.2.2: list = first offered
 * value we support; numerical = min or max; boolean = OR or AND) and answer it. Declarative keys
 * are recorded and not answered; unknown keys are answered NotUnderstood, malformed values Reject.
 * Pure: one instance per login.
 */
public final class Negotiator {

    /** What this target prefers/supports (the "responder's value" of §6.2.2). */
    public record Limits(int maxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength,
                         int maxOutstandingR2T, boolean initialR2T, boolean immediateData, boolean allowDigests) {
        public static final Limits DEFAULT = new Limits(262144, 16776192, 16776192, 16, false, true, true);
    }

    /** Keys handled by the login state machine itself, not here. */
    static final Set<String> LOGIN_KEYS = Set.of("InitiatorName", "InitiatorAlias", "TargetName", "SessionType",
            "AuthMethod", "CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R", "TargetAlias", "TargetAddress",
            "TargetPortalGroupTag", "SendTargets");

    private final Limits limits;
    private final OperationalParams params = new OperationalParams();
    private boolean declaredOurs;

    public Negotiator(Limits limits) {
        this.limits = limits;
        params.targetMaxRecvDataSegmentLength = limits.maxRecvDataSegmentLength();
    }

    public OperationalParams params() {
        return params;
    }

    /** Answers every negotiable key in {@code offered}; adds our declarations to the first answer. */
    public Map<String, String> negotiate(Map<String, String> offered, boolean discovery) {
        Map<String, String> answer = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : offered.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (LOGIN_KEYS.contains(key)) {
                continue;
            }
            String result = answer(key, value);
            if (result != null) {
                answer.put(key, result);
            }
        }
        if (!declaredOurs) {
            answer.put("MaxRecvDataSegmentLength", Integer.toString(limits.maxRecvDataSegmentLength()));
            declaredOurs = true;
        }
        if (params.firstBurstLength > params.maxBurstLength) { // §13.14: FirstBurstLength <= MaxBurstLength
            params.firstBurstLength = params.maxBurstLength;
            if (answer.containsKey("FirstBurstLength")) {
                answer.put("FirstBurstLength", Integer.toString(params.firstBurstLength));
            }
        }
        return answer;
    }

    /** The answer for one key, or null for a declarative key that needs none. */
    String answer(String key, String value) {
        switch (key) {
            case "HeaderDigest":
                return digest(value, true);
            case "DataDigest":
                return digest(value, false);
            case "MaxConnections": // §13.2 min, 1..65535
                return min(value, 1, 65535, 1, v -> params.maxConnections = v);
            case "InitialR2T": // §13.10 OR
                return bool(value, limits.initialR2T(), true, v -> params.initialR2T = v);
            case "ImmediateData": // §13.11 AND
                return bool(value, limits.immediateData(), false, v -> params.immediateData = v);
            case "MaxRecvDataSegmentLength": { // §13.12 declarative, 512..2^24-1
                Integer n = number(value, 512, 16777215);
                if (n == null) {
                    return "Reject";
                }
                params.initiatorMaxRecvDataSegmentLength = n;
                return null;
            }
            case "MaxBurstLength": // §13.13 min, 512..2^24-1
                return min(value, 512, 16777215, limits.maxBurstLength(), v -> params.maxBurstLength = v);
            case "FirstBurstLength": // §13.14 min, 512..2^24-1
                return min(value, 512, 16777215, limits.firstBurstLength(), v -> params.firstBurstLength = v);
            case "DefaultTime2Wait": // §13.15 max, 0..3600
                return max(value, 0, 3600, 2, v -> params.defaultTime2Wait = v);
            case "DefaultTime2Retain": // §13.16 min, 0..3600
                return min(value, 0, 3600, 20, v -> params.defaultTime2Retain = v);
            case "MaxOutstandingR2T": // §13.17 min, 1..65535
                return min(value, 1, 65535, limits.maxOutstandingR2T(), v -> params.maxOutstandingR2T = v);
            case "DataPDUInOrder": // §13.18 OR
                return bool(value, true, true, v -> params.dataPduInOrder = v);
            case "DataSequenceInOrder": // §13.19 OR
                return bool(value, true, true, v -> params.dataSequenceInOrder = v);
            case "ErrorRecoveryLevel": // §13.20 min, 0..2; we implement level 0
                return min(value, 0, 2, 0, v -> params.errorRecoveryLevel = v);
            case "OFMarker":
            case "IFMarker": // RFC 3720 §A.3.1 AND; markers are not supported
                return "Yes".equals(value) || "No".equals(value) ? "No" : "Reject";
            case "OFMarkInt":
            case "IFMarkInt":
                return "Irrelevant";
            case "TaskReporting": // RFC 7144 §2.2: list
                return "RFC3720";
            case "iSCSIProtocolLevel": // RFC 7144 §2.1: numerical min; we implement RFC 7143 = 1
                return min(value, 0, 31, 1, v -> { });
            default:
                return "NotUnderstood"; // §6.2: X- keys and unknown keys
        }
    }

    private String digest(String offered, boolean header) {
        for (String v : offered.split(",")) {
            String s = v.trim();
            if (s.equals("None")) {
                set(header, false);
                return "None";
            }
            if (s.equals("CRC32C") && limits.allowDigests()) {
                set(header, true);
                return "CRC32C";
            }
        }
        return "Reject";
    }

    private void set(boolean header, boolean on) {
        if (header) {
            params.headerDigest = on;
        } else {
            params.dataDigest = on;
        }
    }

    private static Integer number(String value, int lo, int hi) {
        try {
            long v = value.startsWith("0x") || value.startsWith("0X")
                    ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value);
            return v < lo || v > hi ? null : (int) v;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String min(String value, int lo, int hi, int ours, java.util.function.IntConsumer set) {
        Integer n = number(value, lo, hi);
        if (n == null) {
            return "Reject";
        }
        int r = Math.min(n, ours);
        set.accept(r);
        return Integer.toString(r);
    }

    private static String max(String value, int lo, int hi, int ours, java.util.function.IntConsumer set) {
        Integer n = number(value, lo, hi);
        if (n == null) {
            return "Reject";
        }
        int r = Math.max(n, ours);
        set.accept(r);
        return Integer.toString(r);
    }

    /** Boolean keys: {@code or} selects the OR result function, otherwise AND (§6.2.2). */
    private static String bool(String value, boolean ours, boolean or, java.util.function.Consumer<Boolean> set) {
        String v = value.toLowerCase(Locale.ROOT);
        if (!v.equals("yes") && !v.equals("no")) {
            return "Reject";
        }
        boolean offered = v.equals("yes");
        boolean r = or ? (offered || ours) : (offered && ours);
        set.accept(r);
        return r ? "Yes" : "No";
    }
}
