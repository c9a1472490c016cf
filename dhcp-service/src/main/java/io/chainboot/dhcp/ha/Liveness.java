package io.chainboot.dhcp.ha;

import java.time.Duration;
import java.time.Instant;

/**
 * What this instance knows of the others and of its own view of Kafka (pure; time passed in;
 * thread-safe). An instance is <em>down</em> when no heartbeat from it sent within
 * {@code partnerDownAfter} has been read (a heartbeat counts from the time it says it was sent,
 * or its arrival if that is earlier, so replaying old heartbeats at start proves nothing). The
 * view is <em>current</em> for {@code viewStaleAfter} after the consumer reached end offsets
 * fetched at a given time.
 */
public final class Liveness {
    private final int me;
    private final Duration partnerDownAfter;
    private final Duration viewStaleAfter;
    private final Instant[] lastHeard;
    private Instant caughtUpAt;

    public Liveness(HaSettings s) {
        this.me = s.index();
        this.partnerDownAfter = s.partnerDownAfter();
        this.viewStaleAfter = s.viewStaleAfter();
        this.lastHeard = new Instant[s.instances()];
    }

    /** A heartbeat from {@code index} sent at {@code sentAt} (its clock) was read at {@code now}. */
    public synchronized void heard(int index, Instant sentAt, Instant now) {
        if (index < 0 || index >= lastHeard.length || index == me) {
            return;
        }
        Instant at = sentAt.isBefore(now) ? sentAt : now;
        if (lastHeard[index] == null || at.isAfter(lastHeard[index])) {
            lastHeard[index] = at;
        }
    }

    /** The consumer has read everything up to the end offsets fetched at {@code fetchedAt}. */
    public synchronized void caughtUp(Instant fetchedAt) {
        if (caughtUpAt == null || fetchedAt.isAfter(caughtUpAt)) {
            caughtUpAt = fetchedAt;
        }
    }

    /** The topic has been read to its end once: the instance may answer. */
    public synchronized boolean loaded() {
        return caughtUpAt != null;
    }

    public synchronized boolean viewCurrent(Instant now) {
        return caughtUpAt != null && !now.isAfter(caughtUpAt.plus(viewStaleAfter));
    }

    /** Whether instance {@code index} counts as down at {@code now} (never this instance itself). */
    public synchronized boolean down(int index, Instant now) {
        if (index == me) {
            return false;
        }
        Instant h = index >= 0 && index < lastHeard.length ? lastHeard[index] : null;
        return h == null || !now.isBefore(h.plus(partnerDownAfter));
    }

    /** How many other instances are down at {@code now}. */
    public synchronized int downCount(Instant now) {
        int n = 0;
        for (int i = 0; i < lastHeard.length; i++) {
            if (i != me && down(i, now)) {
                n++;
            }
        }
        return n;
    }
}
