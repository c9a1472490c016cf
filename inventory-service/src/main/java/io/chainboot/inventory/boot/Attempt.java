package io.chainboot.inventory.boot;

import io.chainboot.events.BootStage;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;

/**
 * One boot attempt of one machine, as computed by {@link BootTracker}.
 *
 * @param id           the id of the event that started the attempt (stable across recomputation)
 * @param startedAt    that event's time
 * @param stage        current stage, FAILED or STALLED
 * @param stageSince   when {@code stage} was entered
 * @param progress     the furthest progressing stage reached (the stage a failure/stall happened at)
 * @param reason       why it failed or stalled, null otherwise
 * @param profile      the script profile that was rendered, null if no script yet
 * @param reached      first time each progressing stage was reached
 * @param normalLogins normal-session iSCSI logins seen in this attempt
 * @param handedOff    at SCRIPT, the last script attaches no SAN ({@code script.rendered} with
 *                     {@code attachesSan} false: a kernel over HTTP, an installer, the local disk, a menu):
 *                     the machine went on to what that script loads and no later stage is due from
 *                     Chainboot, so the attempt does not stall at SCRIPT
 */
public record Attempt(UUID id, Instant startedAt, BootStage stage, Instant stageSince, BootStage progress,
                      String reason, String profile, Map<BootStage, Instant> reached, int normalLogins,
                      boolean handedOff) {

    public Attempt {
        reached = Collections.unmodifiableMap(new EnumMap<>(reached.isEmpty() ? new EnumMap<>(BootStage.class) : reached));
    }

    /** An attempt that was not handed off. */
    public Attempt(UUID id, Instant startedAt, BootStage stage, Instant stageSince, BootStage progress,
                   String reason, String profile, Map<BootStage, Instant> reached, int normalLogins) {
        this(id, startedAt, stage, stageSince, progress, reason, profile, reached, normalLogins, false);
    }

    /** Finished attempts (OS running, failed, stalled) make the next firmware DHCP start a new attempt. */
    public boolean isFinished() {
        return stage == BootStage.OS_RUNNING || !stage.isProgress();
    }

    /** Time spent in each reached stage: until the next reached stage, or until {@code now} for the last. */
    public Map<BootStage, Duration> durations(Instant now) {
        Map<BootStage, Duration> out = new EnumMap<>(BootStage.class);
        BootStage prev = null;
        for (Map.Entry<BootStage, Instant> e : reached.entrySet()) {
            if (prev != null) {
                out.put(prev, Duration.between(reached.get(prev), e.getValue()));
            }
            prev = e.getKey();
        }
        if (prev != null && prev != BootStage.OS_RUNNING) {
            Instant end = isFinished() ? stageSince : now;
            out.put(prev, Duration.between(reached.get(prev), end));
        }
        return out;
    }

    /** Firmware DHCP (or first sight) to OS running; null while not there. */
    public Duration bootTime() {
        Instant os = reached.get(BootStage.OS_RUNNING);
        return os == null ? null : Duration.between(startedAt, os);
    }
}
