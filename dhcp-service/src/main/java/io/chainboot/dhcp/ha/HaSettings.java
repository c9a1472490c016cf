package io.chainboot.dhcp.ha;

import java.time.Duration;

/**
 * {@code chainboot.dhcp.ha.*} resolved and checked (docs/dhcp-ha.md). Messages name the key to fix.
 *
 * @param instances        how many instances share the pools
 * @param index            this instance's share, 0 … instances − 1
 * @param mclt             maximum client lead time (rules 4 and 5)
 * @param partnerDownAfter no heartbeat read for this long: that instance is down (rules 2 and 3)
 * @param heartbeat        how often this instance writes its heartbeat
 * @param viewStaleAfter   the topic view counts as current this long after it caught up; below mclt
 */
public record HaSettings(int instances, int index, Duration mclt, Duration partnerDownAfter, Duration heartbeat,
                         Duration viewStaleAfter) {
    public HaSettings {
        if (instances < 2 || instances > 16) {
            throw new IllegalArgumentException("chainboot.dhcp.ha.instances must be between 2 and 16, not " + instances);
        }
        if (index < 0 || index >= instances) {
            throw new IllegalArgumentException("chainboot.dhcp.ha.index must be between 0 and " + (instances - 1)
                    + " (chainboot.dhcp.ha.instances - 1), not " + index);
        }
        positive(mclt, "mclt");
        positive(partnerDownAfter, "partner-down-after");
        positive(heartbeat, "heartbeat");
        positive(viewStaleAfter, "view-stale-after");
        if (viewStaleAfter.compareTo(mclt) >= 0) {
            throw new IllegalArgumentException("chainboot.dhcp.ha.view-stale-after (" + viewStaleAfter
                    + ") must be shorter than chainboot.dhcp.ha.mclt (" + mclt + ")");
        }
        if (heartbeat.compareTo(partnerDownAfter) >= 0) {
            throw new IllegalArgumentException("chainboot.dhcp.ha.heartbeat (" + heartbeat
                    + ") must be shorter than chainboot.dhcp.ha.partner-down-after (" + partnerDownAfter + ")");
        }
    }

    private static void positive(Duration d, String key) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("chainboot.dhcp.ha." + key + " must be a positive duration, not " + d);
        }
    }
}
