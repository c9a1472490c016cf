package io.chainboot.inventory.boot;

import io.chainboot.events.BootEvent;
import io.chainboot.events.BootStage;
import io.chainboot.events.BootStalled;
import io.chainboot.events.ClientKind;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import static io.chainboot.inventory.Events.*;
import static org.assertj.core.api.Assertions.assertThat;

class BootTrackerTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:00:00:01");
    static final Ipv4Address IP = Ipv4Address.parse("10.0.0.10");
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    static List<TrackedEvent> tracked(List<? extends BootEvent> events) {
        List<TrackedEvent> out = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            out.add(new TrackedEvent(events.get(i), i));
        }
        return out;
    }

    @Test
    void fullChainWalksEveryStageWithDurations() {
        List<BootEvent> boot = fullBoot(MAC, IP, T0, "sanboot");
        List<Attempt> attempts = BootTracker.replay(tracked(boot));
        assertThat(attempts).hasSize(1);
        Attempt a = attempts.get(0);
        assertThat(a.id()).isEqualTo(boot.get(0).id());
        assertThat(a.stage()).isEqualTo(BootStage.OS_RUNNING);
        assertThat(a.reached().keySet()).containsExactly(BootStage.PXE_DHCP, BootStage.FIRMWARE_LOADED,
                BootStage.IPXE_DHCP, BootStage.SCRIPT, BootStage.SAN_ATTACHED, BootStage.OS_RUNNING);
        assertThat(a.profile()).isEqualTo("sanboot");
        assertThat(a.bootTime()).isEqualTo(Duration.ofMillis(9000));
        assertThat(a.durations(T0.plusSeconds(60)).get(BootStage.PXE_DHCP)).isEqualTo(Duration.ofMillis(400));
        assertThat(a.durations(T0.plusSeconds(60)).get(BootStage.SAN_ATTACHED)).isEqualTo(Duration.ofMillis(7500));
    }

    /**
     * A real diskless Debian boot (DisklessDebianTest): iPXE logs in, logs in again 0.3 s later when
     * GRUB resets the disk (its ISID says iPXE: not the OS), then the initramfs's iscsistart
     * (open-iscsi's ISID) — only that login is OS_RUNNING.
     */
    @Test
    void aSecondLoginByTheBootFirmwareIsNotTheOs() {
        List<BootEvent> boot = List.of(
                acked(MAC, IP, ClientKind.IPXE, T0),
                script(MAC, IP, "sanboot", T0.plusMillis(800)),
                login(MAC, IP, T0.plusMillis(900), 1, "400027230000"),
                lun(MAC, IP, T0.plusMillis(950)),
                login(MAC, IP, T0.plusMillis(1200), 2, "400027230000"));
        Attempt a = BootTracker.replay(tracked(boot)).get(0);
        assertThat(a.stage()).as("iPXE's own re-login").isEqualTo(BootStage.SAN_ATTACHED);

        List<BootEvent> withOs = new ArrayList<>(boot);
        withOs.add(login(MAC, IP, T0.plusSeconds(40), 3, "00023d000001"));
        withOs.add(login(MAC, IP, T0.plusSeconds(95), 4, "00023d000001")); // iscsid taking the session over
        a = BootTracker.replay(tracked(withOs)).get(0);
        assertThat(a.stage()).isEqualTo(BootStage.OS_RUNNING);
        assertThat(a.reached().get(BootStage.OS_RUNNING)).as("the initramfs's login").isEqualTo(T0.plusSeconds(40));
        assertThat(BootTracker.replay(tracked(withOs))).as("one attempt").hasSize(1);
    }

    @Test
    void aFirstLoginByTheOsIsSanAttachedNotOsRunning() {
        Attempt a = BootTracker.replay(tracked(List.of(acked(MAC, IP, ClientKind.IPXE, T0),
                login(MAC, IP, T0.plusMillis(900), 1, "00023d000001")))).get(0);
        assertThat(a.stage()).isEqualTo(BootStage.SAN_ATTACHED);
    }

    @Test
    void arrivalOrderDoesNotMatterOnlyEventTime() {
        List<BootEvent> boot = new ArrayList<>(fullBoot(MAC, IP, T0, "sanboot"));
        Collections.reverse(boot);
        Attempt a = BootTracker.replay(tracked(boot)).get(0);
        assertThat(a.stage()).isEqualTo(BootStage.OS_RUNNING);
        assertThat(a.reached()).hasSize(6);
        assertThat(a.reached().get(BootStage.SCRIPT)).isEqualTo(T0.plusMillis(1200));
    }

    @Test
    void qemuIpxeRomSkipsTftpAndThatIsANormalBoot() {
        List<BootEvent> boot = List.of(acked(MAC, IP, ClientKind.FIRMWARE, T0),
                script(MAC, IP, "linux", T0.plusMillis(300)), login(MAC, IP, T0.plusMillis(500), 1));
        Attempt a = BootTracker.replay(tracked(boot)).get(0);
        assertThat(a.stage()).isEqualTo(BootStage.SAN_ATTACHED);
        assertThat(a.reached().keySet()).containsExactly(BootStage.PXE_DHCP, BootStage.SCRIPT, BootStage.SAN_ATTACHED);
        assertThat(a.reason()).isNull();
    }

    @Test
    void failureKeepsTheFailingEventsReasonAndStage() {
        List<BootEvent> boot = List.of(acked(MAC, IP, ClientKind.FIRMWARE, T0), tftpFailed(MAC, IP, T0.plusMillis(50)));
        Attempt a = BootTracker.replay(tracked(boot)).get(0);
        assertThat(a.stage()).isEqualTo(BootStage.FAILED);
        assertThat(a.progress()).isEqualTo(BootStage.PXE_DHCP);
        assertThat(a.reason()).isEqualTo("tftp.failed: undionly.kpxe: file not found");

        Attempt iscsi = BootTracker.replay(tracked(List.of(script(MAC, IP, "p", T0), rejected(MAC, IP, T0.plusMillis(9)))))
                .get(0);
        assertThat(iscsi.stage()).isEqualTo(BootStage.FAILED);
        assertThat(iscsi.reason()).startsWith("iscsi.login-rejected");
    }

    @Test
    void firmwareDhcpAfterAFinishedOrFailedBootStartsANewAttempt() {
        List<BootEvent> events = new ArrayList<>(fullBoot(MAC, IP, T0, "a"));
        events.add(offered(MAC, IP, ClientKind.FIRMWARE, T0.plusSeconds(100)));
        events.add(acked(MAC, IP, ClientKind.FIRMWARE, T0.plusSeconds(100).plusMillis(5)));
        events.add(tftpFailed(MAC, IP, T0.plusSeconds(101)));
        events.add(offered(MAC, IP, ClientKind.FIRMWARE, T0.plusSeconds(200)));
        List<Attempt> attempts = BootTracker.replay(tracked(events));
        assertThat(attempts).extracting(Attempt::stage)
                .containsExactly(BootStage.OS_RUNNING, BootStage.FAILED, BootStage.PXE_DHCP);
    }

    /** QEMU's e1000 ROM is iPXE: its reboot sends no firmware DHCP, so an iPXE DHCP after the attempt got past it is a new boot. */
    @Test
    void ipxeDhcpAfterTheAttemptGotPastItStartsANewAttemptAnIpxeRomRebooting() {
        List<BootEvent> events = new ArrayList<>(List.of(offered(MAC, IP, ClientKind.IPXE, T0),
                acked(MAC, IP, ClientKind.IPXE, T0.plusMillis(5)), script(MAC, IP, "p", T0.plusMillis(300)),
                login(MAC, IP, T0.plusMillis(500), 1), lun(MAC, IP, T0.plusMillis(600))));
        events.add(offered(MAC, IP, ClientKind.IPXE, T0.plusSeconds(30))); // reset: the ROM's DHCP again
        events.add(acked(MAC, IP, ClientKind.IPXE, T0.plusSeconds(30).plusMillis(5)));
        events.add(script(MAC, IP, "p", T0.plusSeconds(30).plusMillis(300)));
        events.add(login(MAC, IP, T0.plusSeconds(30).plusMillis(500), 2));
        List<Attempt> attempts = BootTracker.replay(tracked(events));
        assertThat(attempts).extracting(Attempt::stage).containsExactly(BootStage.SAN_ATTACHED, BootStage.SAN_ATTACHED);
        assertThat(attempts.get(1).startedAt()).isEqualTo(T0.plusSeconds(30));
        assertThat(attempts.get(1).reached().keySet()).containsExactly(BootStage.IPXE_DHCP, BootStage.SCRIPT,
                BootStage.SAN_ATTACHED);
        assertThat(attempts.get(0).normalLogins() + attempts.get(1).normalLogins())
                .as("the second boot's login is its own SAN attach, not the first boot's OS login").isEqualTo(2);

        // a chained boot's iPXE DHCP (after PXE_DHCP and TFTP) stays in the same attempt
        assertThat(BootTracker.replay(tracked(fullBoot(MAC, IP, T0, "a")))).hasSize(1);
    }

    /**
     * bench/storm at 1,000 machines: dhcp-service answered a REQUEST and its retransmission, and the
     * second ACK landed after the script or the SAN attach. It is the same boot, not a new one.
     */
    @Test
    void aLateAckOfARetransmittedRequestIsTheSameAttempt() {
        List<BootEvent> events = new ArrayList<>(fullBoot(MAC, IP, T0, "sanboot"));
        events.add(acked(MAC, IP, ClientKind.IPXE, T0.plusSeconds(4)));      // after SAN_ATTACHED
        events.add(acked(MAC, IP, ClientKind.FIRMWARE, T0.plusSeconds(5)));  // after FIRMWARE_LOADED
        events.add(acked(MAC, IP, ClientKind.IPXE, T0.plusSeconds(20)));     // after OS_RUNNING
        List<Attempt> attempts = BootTracker.replay(tracked(events));
        assertThat(attempts).hasSize(1);
        assertThat(attempts.get(0).stage()).isEqualTo(BootStage.OS_RUNNING);

        List<BootEvent> stalled = List.of(offered(MAC, IP, ClientKind.IPXE, T0), acked(MAC, IP, ClientKind.IPXE, T0.plusMillis(5)),
                script(MAC, IP, "p", T0.plusMillis(300)), acked(MAC, IP, ClientKind.IPXE, T0.plusSeconds(3)));
        assertThat(BootTracker.replay(tracked(stalled))).extracting(Attempt::stage).containsExactly(BootStage.SCRIPT);
    }

    @Test
    void offerThenAckOfTheSameFirmwareExchangeIsOneAttempt() {
        List<Attempt> attempts = BootTracker.replay(tracked(List.of(offered(MAC, IP, ClientKind.FIRMWARE, T0),
                acked(MAC, IP, ClientKind.FIRMWARE, T0.plusMillis(5)))));
        assertThat(attempts).hasSize(1);
        assertThat(attempts.get(0).stageSince()).isEqualTo(T0);
    }

    @Test
    void stallVerdictMarksOnlyTheAttemptStillAtThatStageAndProgressResumesIt() {
        BootEvent dhcp = acked(MAC, IP, ClientKind.IPXE, T0);
        String attemptId = dhcp.id().toString();
        BootStalled stall = new BootStalled(UUID.randomUUID(), T0.plusSeconds(60), new EventSource("inventory-service", "t"),
                MAC, IP, BootStage.IPXE_DHCP, T0, 60, attemptId);
        Attempt stalled = BootTracker.replay(tracked(List.of(dhcp, stall))).get(0);
        assertThat(stalled.stage()).isEqualTo(BootStage.STALLED);
        assertThat(stalled.progress()).isEqualTo(BootStage.IPXE_DHCP);

        Attempt resumed = BootTracker.replay(tracked(List.of(dhcp, stall, script(MAC, IP, "p", T0.plusSeconds(70))))).get(0);
        assertThat(resumed.stage()).isEqualTo(BootStage.SCRIPT);
        assertThat(resumed.reason()).isNull();

        // a late script event from before the verdict: the stall no longer applies
        Attempt late = BootTracker.replay(tracked(List.of(dhcp, stall, script(MAC, IP, "p", T0.plusSeconds(5))))).get(0);
        assertThat(late.stage()).isEqualTo(BootStage.SCRIPT);
    }

    /**
     * The Debian installer (or a live system) loaded by a linux profile without SAN: iPXE DHCP, a script
     * that attaches no SAN, then nothing more Chainboot can see. The attempt stays at SCRIPT, handed off,
     * and a stall verdict for it changes nothing (the detector does not look for such attempts).
     */
    @Test
    void aScriptWithoutSanHandsTheAttemptOffAndItDoesNotStall() {
        BootEvent dhcp = acked(MAC, IP, ClientKind.IPXE, T0);
        BootEvent installer = script(MAC, IP, "debian-installer", T0.plusMillis(800), false);
        Attempt a = BootTracker.replay(tracked(List.of(dhcp, installer))).get(0);
        assertThat(a.stage()).isEqualTo(BootStage.SCRIPT);
        assertThat(a.handedOff()).isTrue();
        assertThat(a.reached().keySet()).containsExactly(BootStage.IPXE_DHCP, BootStage.SCRIPT);

        BootStalled stall = new BootStalled(UUID.randomUUID(), T0.plusSeconds(200), new EventSource("inventory-service", "t"),
                MAC, IP, BootStage.SCRIPT, T0.plusMillis(800), 120, dhcp.id().toString());
        Attempt after = BootTracker.replay(tracked(List.of(dhcp, installer, stall))).get(0);
        assertThat(after.stage()).isEqualTo(BootStage.SCRIPT);
        assertThat(after.reason()).isNull();

        // the machine boots again: a new attempt, as after any other boot
        List<Attempt> again = BootTracker.replay(tracked(List.of(dhcp, installer, offered(MAC, IP, ClientKind.IPXE, T0.plusSeconds(900)),
                acked(MAC, IP, ClientKind.IPXE, T0.plusSeconds(900).plusMillis(5)))));
        assertThat(again).hasSize(2);
        assertThat(again.get(1).handedOff()).isFalse();
    }

    /** Scripts that do attach a SAN, or say nothing about it (older script-service), are waited on as before. */
    @Test
    void aScriptWithSanOrOfAnOlderPublisherIsNotHandedOff() {
        BootEvent dhcp = acked(MAC, IP, ClientKind.IPXE, T0);
        assertThat(BootTracker.replay(tracked(List.of(dhcp, script(MAC, IP, "sanboot", T0.plusMillis(800), true)))).get(0).handedOff())
                .isFalse();
        assertThat(BootTracker.replay(tracked(List.of(dhcp, script(MAC, IP, "sanboot", T0.plusMillis(800))))).get(0).handedOff())
                .isFalse();
    }

    /**
     * A menu (no SAN) waits for a person; the chosen item's script attaches the SAN: from then on the
     * attempt waits for the login again, its SCRIPT time counted from that script, not from the menu.
     */
    @Test
    void aMenuChoiceThatAttachesSanTakesTheAttemptBack() {
        BootEvent dhcp = acked(MAC, IP, ClientKind.IPXE, T0);
        BootEvent menu = script(MAC, IP, "menu", T0.plusSeconds(1), false);
        BootEvent chosen = script(MAC, IP, "sanboot", T0.plusSeconds(300), true);
        Attempt a = BootTracker.replay(tracked(List.of(dhcp, menu, chosen))).get(0);
        assertThat(a.stage()).isEqualTo(BootStage.SCRIPT);
        assertThat(a.handedOff()).isFalse();
        assertThat(a.profile()).isEqualTo("sanboot");
        assertThat(a.stageSince()).isEqualTo(T0.plusSeconds(300));
        assertThat(a.reached().get(BootStage.SCRIPT)).as("the stage was first reached with the menu").isEqualTo(T0.plusSeconds(1));

        Attempt attached = BootTracker.replay(tracked(List.of(dhcp, menu, chosen, login(MAC, IP, T0.plusSeconds(301), 1)))).get(0);
        assertThat(attached.stage()).isEqualTo(BootStage.SAN_ATTACHED);
        assertThat(attached.handedOff()).isFalse();
    }

    /**
     * The linux profile with sanhook (kernel and initrd over HTTP, root on the machine's iSCSI disk): the
     * script attaches the SAN, iPXE logs in, then the initramfs's iscsistart: the same stages as sanboot.
     */
    @Test
    void aKernelOverHttpWithItsRootOnTheSanRunsLikeASanboot() {
        List<BootEvent> boot = List.of(
                acked(MAC, IP, ClientKind.IPXE, T0),
                script(MAC, IP, "debian-12-http", T0.plusMillis(800), true),
                login(MAC, IP, T0.plusMillis(900), 1, "400027230000"),
                lun(MAC, IP, T0.plusMillis(950)),
                login(MAC, IP, T0.plusSeconds(40), 2, "00023d000001"));
        Attempt a = BootTracker.replay(tracked(boot)).get(0);
        assertThat(a.stage()).isEqualTo(BootStage.OS_RUNNING);
        assertThat(a.handedOff()).isFalse();
        assertThat(a.reached().keySet()).containsExactly(BootStage.IPXE_DHCP, BootStage.SCRIPT, BootStage.SAN_ATTACHED,
                BootStage.OS_RUNNING);
    }

    @Test
    void repeatedLoginsBeforeSanAttachDoNotSkipToOsRunning() {
        List<BootEvent> events = List.of(script(MAC, IP, "p", T0), lun(MAC, IP, T0.plusMillis(1)),
                login(MAC, IP, T0.plusMillis(2), 1));
        // lun.attached first, then the first login: that login is the SAN session, OS not running yet...
        Attempt a = BootTracker.replay(tracked(events)).get(0);
        assertThat(a.stage()).isEqualTo(BootStage.SAN_ATTACHED);
        assertThat(a.normalLogins()).isEqualTo(1);
    }

    /** A login seen with nothing before it (a machine booted by another DHCP server) is a SAN attach, not a crash. */
    @Test
    void aLoginWithNothingBeforeItIsASanAttach() {
        Attempt a = BootTracker.replay(tracked(List.of(login(MAC, IP, T0, 1)))).get(0);
        assertThat(a.stage()).isEqualTo(BootStage.SAN_ATTACHED);
        assertThat(a.normalLogins()).isEqualTo(1);
    }

    /**
     * The store folds a batch that only extends a timeline from the stored latest attempt: for any
     * events and any split in fold order, resuming from the prefix's last attempt gives exactly the
     * attempts a replay of everything gives.
     */
    @Test
    void resumingFromTheLatestAttemptEqualsReplayingEverything() {
        java.util.Random random = new java.util.Random(7);
        for (int round = 0; round < 2000; round++) {
            List<TrackedEvent> events = tracked(randomTimeline(random, MAC, IP, T0, 1 + random.nextInt(14)));
            List<Attempt> all = BootTracker.replay(events);
            List<TrackedEvent> sorted = new ArrayList<>(events);
            sorted.sort(BootTracker.ORDER);
            for (int k = 0; k <= sorted.size(); k++) {
                List<Attempt> head = BootTracker.replay(sorted.subList(0, k));
                Attempt latest = head.isEmpty() ? null : head.get(head.size() - 1);
                List<Attempt> joined = new ArrayList<>(head.isEmpty() ? head : head.subList(0, head.size() - 1));
                joined.addAll(BootTracker.resume(latest, sorted.subList(k, sorted.size())));
                assertThat(joined).as("round %d, split %d of %s", round, k, events).isEqualTo(all);
            }
        }
    }
}
