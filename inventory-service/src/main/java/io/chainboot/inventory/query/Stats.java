package io.chainboot.inventory.query;

import java.util.List;
import java.util.Map;

/**
 * Fleet statistics.
 *
 * @param bootTimes      per profile, start → OS_RUNNING of finished attempts (milliseconds)
 * @param failuresByStage failed attempts, by the last stage they had reached
 * @param stalledByStage stalled attempts (still stalled), by stage
 * @param currentStages  machines per stage of their latest attempt
 */
public record Stats(List<ProfileBootTime> bootTimes, Map<String, Long> failuresByStage,
                    Map<String, Long> stalledByStage, Map<String, Long> currentStages, long machines, long events) {

    public record ProfileBootTime(String profile, long boots, double p50Millis, double p90Millis, double p99Millis,
                                  double maxMillis) {
    }
}
