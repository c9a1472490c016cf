package io.chainboot.inventory.boot;

import io.chainboot.events.BootStage;
import io.chainboot.events.IscsiEvents;
import io.chainboot.events.ScriptEvents;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Folds one machine's events, in event-time order, into its boot attempts. Pure: the store calls
 * it again over the affected tail of the timeline whenever an event arrives (late or not), so the
 * answer depends on event time only, never on arrival order.
 *
 * <p>Rules: the stage only moves forward along {@link BootStage} order, skipping is allowed (QEMU's
 * iPXE ROM goes PXE_DHCP → SCRIPT); a firmware DHCP OFFER after a finished attempt (OS running,
 * failed, stalled) or after the attempt got past PXE_DHCP starts a new attempt, and so does an iPXE
 * DHCP OFFER after a finished attempt or one past IPXE_DHCP (an iPXE ROM reboots without firmware
 * DHCP) — an ACK never does: a reboot always discovers, and a late ACK answers a retransmitted
 * REQUEST of the exchange already counted; any progressing event with no attempt open starts one; a failure marks FAILED with its reason; a stall verdict marks
 * STALLED only if the attempt is still at the stalled stage; progress after a stall resumes it.
 * A script that attaches no SAN ({@code attachesSan} false) hands the attempt off at SCRIPT: it never
 * stalls there (an installer or live system waits on a person, not on Chainboot); a later script that
 * does attach one takes it back, its SCRIPT time starting again then.
 */
public final class BootTracker {
    private BootTracker() {
    }

    /** Order of a fold: event time (as stored), ties broken by arrival. */
    public static final Comparator<TrackedEvent> ORDER = Comparator.comparing(TrackedEvent::time).thenComparingLong(TrackedEvent::seq);

    /** A machine's attempts from all its events. */
    public static List<Attempt> replay(List<TrackedEvent> events) {
        return resume(null, events);
    }

    /**
     * Continues a fold where it stopped: {@code latest} is the last attempt of the events folded so
     * far (null if they made none) and every event of {@code newer} sorts after all of those
     * ({@link #ORDER}). Returns {@code latest} brought up to date, followed by the attempts the
     * newer events started — exactly the tail {@link #replay} would give over all the events, so
     * a batch of events that only extend a timeline costs those events, not the timeline.
     */
    public static List<Attempt> resume(Attempt latest, List<TrackedEvent> newer) {
        List<TrackedEvent> sorted = new ArrayList<>(newer);
        sorted.sort(ORDER);
        List<Attempt> out = new ArrayList<>();
        Builder current = latest == null ? null : new Builder(latest);
        for (TrackedEvent t : sorted) {
            StageStep step = StageStep.of(t.event());
            Instant time = t.time();
            if (step instanceof StageStep.Dhcp dhcp) {
                if (current == null || (dhcp.offer() && (current.finished() || current.isPast(dhcp.stage())))) {
                    if (current != null) {
                        out.add(current.build());
                    }
                    current = new Builder(t.event().id(), time);
                }
                current.reach(dhcp.stage(), time);
            } else if (step instanceof StageStep.Reached r) {
                if (current == null) {
                    current = new Builder(t.event().id(), time);
                }
                current.reach(r.stage(), time);
                if (t.event() instanceof ScriptEvents.Rendered s && s.profile() != null) {
                    current.profile = s.profile();
                }
                if (t.event() instanceof ScriptEvents.Rendered s && current.stage == BootStage.SCRIPT) {
                    current.handOff(Boolean.FALSE.equals(s.attachesSan()), time);
                }
            } else if (step instanceof StageStep.NormalLogin login) {
                if (current == null) {
                    current = new Builder(t.event().id(), time);
                }
                current.normalLogins++;
                if (current.progress == null || current.progress.ordinal() < BootStage.SAN_ATTACHED.ordinal()) {
                    current.reach(BootStage.SAN_ATTACHED, time);
                } else if (login.initiator() == IscsiEvents.InitiatorKind.OS
                        || (login.initiator() == IscsiEvents.InitiatorKind.UNKNOWN && current.normalLogins >= 2)) {
                    current.reach(BootStage.OS_RUNNING, time);
                }
            } else if (step instanceof StageStep.Failed f) {
                if (current == null) {
                    current = new Builder(t.event().id(), time);
                }
                if (current.stage != BootStage.OS_RUNNING) {
                    current.terminal(BootStage.FAILED, f.reason(), time);
                }
            } else if (step instanceof StageStep.Stalled s) {
                if (current != null && current.id.toString().equals(s.attemptId())
                        && current.stage == s.stage() && !current.handedOff) {
                    current.terminal(BootStage.STALLED, "no progress past " + s.stage(), time);
                }
            }
            // Neutral: on the timeline only
        }
        if (current != null) {
            out.add(current.build());
        }
        return out;
    }

    private static final class Builder {
        final UUID id;
        final Instant startedAt;
        final Map<BootStage, Instant> reached = new EnumMap<>(BootStage.class);
        BootStage stage;
        BootStage progress;
        Instant stageSince;
        String reason;
        String profile;
        int normalLogins;
        boolean handedOff;

        Builder(UUID id, Instant startedAt) {
            this.id = id;
            this.startedAt = startedAt;
        }

        /** The state {@link #build} left: {@code progress} is the furthest reached stage, none if nothing was reached. */
        Builder(Attempt a) {
            this(a.id(), a.startedAt());
            reached.putAll(a.reached());
            for (BootStage s : reached.keySet()) {
                progress = s; // EnumMap iterates in stage order: the last key is the furthest
            }
            stage = a.stage();
            stageSince = a.stageSince();
            reason = a.reason();
            profile = a.profile();
            normalLogins = a.normalLogins();
            handedOff = a.handedOff();
        }

        /** Already progressed beyond {@code s}: a DHCP of that stage now is the machine booting again. */
        boolean isPast(BootStage s) {
            return progress != null && progress.ordinal() > s.ordinal();
        }

        boolean finished() {
            return stage == BootStage.OS_RUNNING || (stage != null && !stage.isProgress());
        }

        void reach(BootStage s, Instant time) {
            if (progress != null && s.ordinal() <= progress.ordinal()) {
                return; // already there or past it: a repeat or a straggler
            }
            reached.putIfAbsent(s, time);
            progress = s;
            stage = s;
            stageSince = time;
            reason = null; // progress after a stall resumes the attempt
            handedOff = false;
        }

        /** At SCRIPT: a script without SAN hands the attempt off; one with SAN after that takes it back. */
        void handOff(boolean off, Instant time) {
            if (handedOff && !off) {
                stageSince = time; // waiting for the SAN login starts now, not when the menu was shown
            }
            handedOff = off;
        }

        void terminal(BootStage s, String why, Instant time) {
            if (stage == BootStage.FAILED) {
                return; // keep the first failure's reason
            }
            stage = s;
            reason = why;
            stageSince = time;
        }

        Attempt build() {
            BootStage st = stage == null ? BootStage.PXE_DHCP : stage;
            BootStage pr = progress == null ? BootStage.PXE_DHCP : progress;
            return new Attempt(id, startedAt, st, stageSince == null ? startedAt : stageSince, pr, reason, profile,
                    reached, normalLogins, handedOff);
        }
    }
}
