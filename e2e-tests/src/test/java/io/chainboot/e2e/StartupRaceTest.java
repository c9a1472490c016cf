package io.chainboot.e2e;

import io.chainboot.e2e.harness.BootImages;
import io.chainboot.e2e.harness.Chainboot;
import io.chainboot.e2e.harness.Firmware;
import io.chainboot.e2e.harness.Prerequisites;
import io.chainboot.e2e.harness.Qemu;
import io.chainboot.e2e.harness.TestNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ready means ready: machines declared in {@code machines.yaml} get their own profile from the first
 * DHCP answer on. One guest is powered on the instant dhcp-service's DHCP socket is bound (the
 * moment a server without the rule would start answering; with more than {@value #FILLER}
 * machines in the file, the declared ones last), the other the instant {@code ./chainboot up} returns. Both must boot
 * their own iSCSI disk ({@code sanboot}); a guest answered from a view without the file gets the
 * default menu, falls through to {@code local} and never prints its marker.
 */
class StartupRaceTest {
    static final int FILLER = 300;
    static final String EARLY = "52:54:00:77:0e:01";
    static final String LATE = "52:54:00:77:0e:02";

    @Test
    @Timeout(600)
    void declaredMachinesPoweredOnDuringStartAndAtOnceAfterGetTheirOwnProfile() throws Exception {
        Prerequisites.require(false);
        Path dir = Files.createDirectories(Path.of("target", "e2e", "startup-race")).toAbsolutePath();
        Path state = dir.resolve("state");
        BootImages.deleteTree(state);
        BootImages.disk(Firmware.BIOS, Disks.raw(state, "race-early.img"), "RACE-EARLY-OWN-DISK");
        BootImages.disk(Firmware.BIOS, Disks.raw(state, "race-late.img"), "RACE-LATE-OWN-DISK");
        StringBuilder yaml = new StringBuilder("machines:\n");
        for (int i = 0; i < FILLER; i++) {
            yaml.append(String.format("  - {mac: '02:00:00:00:%02x:%02x', hostname: filler%d, profile: local}%n",
                    i / 256, i % 256, i));
        }
        yaml.append("  - {mac: '" + EARLY + "', hostname: race-early, profile: sanboot, disk: {kind: RAW, image: race-early.img}}\n");
        yaml.append("  - {mac: '" + LATE + "', hostname: race-late, profile: sanboot, disk: {kind: RAW, image: race-late.img}}\n");
        Files.writeString(state.resolve("machines.yaml"), yaml);
        Path dhcpLog = state.resolve("logs").resolve("dhcp-service.log");

        try (TestNamespace ns = TestNamespace.create("race", dir)) {
            String earlyTap = ns.addTap();
            String lateTap = ns.addTap();
            CompletableFuture<Chainboot> up = CompletableFuture.supplyAsync(() -> Chainboot.up(ns, state, "full"));
            Chainboot cb = null;
            Qemu early = null;
            Qemu late = null;
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                while (!up.isDone() && !logHas(dhcpLog, "listening on udp") && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                early = new Qemu(ns, Firmware.BIOS, EARLY, earlyTap, "race-early").powerOn();
                cb = up.get(300, TimeUnit.SECONDS);
                late = new Qemu(ns, Firmware.BIOS, LATE, lateTap, "race-late").powerOn();
                Qemu.Boot lateBoot = late.awaitMarker("RACE-LATE-OWN-DISK", Duration.ofSeconds(120));
                Qemu.Boot earlyBoot = early.awaitMarker("RACE-EARLY-OWN-DISK", Duration.ofSeconds(120));
                assertThat(earlyBoot.markerSeen()).as("guest powered on as dhcp-service started: %s%n%s%n%s",
                        earlyBoot.outcome(), earlyBoot.serialTail(), cb.logTail("dhcp-service.log", 2000)).isTrue();
                assertThat(lateBoot.markerSeen()).as("guest powered on as up returned: %s%n%s", lateBoot.outcome(),
                        lateBoot.serialTail()).isTrue();
            } finally {
                if (early != null) {
                    early.powerOff();
                }
                if (late != null) {
                    late.powerOff();
                }
                if (cb == null && up.isDone() && !up.isCompletedExceptionally()) {
                    cb = up.join();
                }
                if (cb != null) {
                    cb.close();
                }
            }
        }
    }

    private static boolean logHas(Path log, String text) {
        try {
            return Files.exists(log) && Files.readString(log).contains(text);
        } catch (java.io.IOException e) { // the log is a link the launcher creates as the service starts
            return false;
        }
    }
}
