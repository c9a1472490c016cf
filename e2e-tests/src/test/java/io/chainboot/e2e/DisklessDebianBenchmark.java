package io.chainboot.e2e;

import io.chainboot.e2e.harness.BootImages;
import io.chainboot.e2e.harness.Chainboot;
import io.chainboot.e2e.harness.Cmd;
import io.chainboot.e2e.harness.Inventory;
import io.chainboot.e2e.harness.OsMachine;
import io.chainboot.e2e.harness.Prerequisites;
import io.chainboot.e2e.harness.ReferenceStack;
import io.chainboot.e2e.harness.TestNamespace;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * Not part of the suite (surefire excludes *Benchmark; run by bench/diskless-debian/run.sh):
 * power-on → systemd's CHAINBOOT-OS-UP marker of the project's Debian 12 golden image, one machine
 * at a time, through Chainboot (sanboot, an OVERLAY reset before each round, so every round is a
 * first boot of a fresh overlay) and through the reference stack (dnsmasq + http.server + tgtd
 * serving a fresh copy of the same image at LUN 1), in the same run, rounds alternating, with
 * Chainboot running throughout, {@code -Dbench.rounds=N}. A third column boots the same image through
 * Chainboot's {@code linux} profile (kernel and initrd over HTTP after {@code sanhook}, root on the
 * machine's own overlay, no GRUB), another machine with its own overlay, also reset each round.
 * Also prints the guest's own uptime at the marker: power-on minus that is firmware + iPXE + GRUB
 * (or the HTTP download) loading the kernel.
 * Prints a table with the load average.
 */
class DisklessDebianBenchmark {
    static final String UUID = "8c2f8a36-0b8e-4d2c-9f11-0000000003aa";

    @Test
    void powerOnToOsMarker() throws Exception {
        Prerequisites.require(true);
        int rounds = Integer.getInteger("bench.rounds", 2);
        Path dir = Files.createDirectories(Path.of("target", "e2e", "bench-diskless-debian")).toAbsolutePath();
        DebianImage.Built golden = DebianImage.get(dir.resolve("image-build.log"));
        List<Double> ref = new ArrayList<>();
        List<Double> cb = new ArrayList<>();
        List<Double> http = new ArrayList<>();
        List<String> loads = new ArrayList<>();

        // Chainboot runs the whole time (its JVMs, Kafka and PostgreSQL share the 2 cores during the
        // reference boots too); rounds alternate reference / Chainboot so both see the same load
        Path rdir = dir.resolve("reference");
        Path cdir = dir.resolve("chainboot");
        BootImages.deleteTree(cdir.resolve("state"));
        try (TestNamespace ns = TestNamespace.create("bosc", cdir);
             Chainboot chainboot = Chainboot.up(ns, cdir.resolve("state"), "full")) {
            Cmd.Result imported = ns.run(Duration.ofMinutes(10), "curl", "-sS", "-m", "580", "-X", "POST",
                    "-w", "\nHTTP %{http_code}", "-H", "Authorization: Bearer " + chainboot.apiToken(),
                chainboot.inventoryUrl("/api/images/debian-12?path=" + DebianImage.stageForImport(chainboot.state(), golden.disk(), "debian-12.img")));
            if (!imported.output().contains("HTTP 201")) {
                throw new AssertionError("import failed: " + imported.output());
            }
            String mac = "52:54:00:77:03:ab";
            new Inventory(chainboot).registerSanboot(mac, "bench-debian", "OVERLAY", "debian-12", false);
            Disks.awaitScript(chainboot, mac, Duration.ofSeconds(30));
            String httpMac = "52:54:00:77:03:ac";
            DebianImage.installHttpKernelProfile(chainboot.state(), "debian-12-http");
            Disks.awaitProfile(chainboot, "debian-12-http", Duration.ofSeconds(30));
            new Inventory(chainboot).register(httpMac, "bench-debian-http", "debian-12-http", "OVERLAY", "debian-12");
            Disks.awaitScript(chainboot, httpMac, "sanhook iscsi:", Duration.ofSeconds(60));
            for (int i = 0; i < rounds; i++) {
                Path copy = Files.createDirectories(rdir).resolve("disk.img");
                Cmd.check("cp", "--sparse=always", golden.disk().toString(), copy.toString());
                try (TestNamespace rns = TestNamespace.create("bosr", rdir);
                     ReferenceStack ignored = ReferenceStack.start(rns, copy)) {
                    ref.add(boot(rns, "52:54:00:77:03:aa", "reference-" + i, loads));
                }
                if (i > 0 && !chainboot.http("POST", chainboot.inventoryUrl("/api/disks/" + mac + "/reset"), null, true).ok()) {
                    throw new AssertionError("reset failed");
                }
                cb.add(boot(ns, mac, "chainboot-" + i, loads));
                if (i > 0 && !chainboot.http("POST", chainboot.inventoryUrl("/api/disks/" + httpMac + "/reset"), null, true).ok()) {
                    throw new AssertionError("reset failed");
                }
                http.add(boot(ns, httpMac, "chainboot-http-kernel-" + i, loads));
            }
        }
        StringBuilder t = new StringBuilder(String.format("%npower-on -> Debian 12 OS marker (s), %d first boots each,"
                + " one machine at a time, TCG, 2 cores%n", rounds));
        t.append(String.format("reference (dnsmasq+tgtd): %s%nchainboot (sanboot, overlay): %s%nratio (median): %.2fx%n"
                + "chainboot (linux profile: kernel over HTTP, sanhook, overlay): %s%nratio to the reference (median): %.2fx,"
                + " to sanboot: %.2fx%n"
                + "load average (1, 5 min) at each marker, reference / sanboot / linux profile in turn: %s%n", fmt(ref), fmt(cb),
                median(cb) / median(ref), fmt(http), median(http) / median(ref), median(http) / median(cb), loads));
        System.out.println(t);
        Files.writeString(dir.resolve("result.txt"), t.toString());
    }

    private static double boot(TestNamespace ns, String mac, String label, List<String> loads) {
        String tap = ns.addTap();
        OsMachine q = new OsMachine(ns, mac, UUID, label).powerOn(tap, "systemctl --no-block poweroff\n");
        Optional<Matcher> up = q.await(OsMachine.OS_UP, Duration.ofSeconds(600));
        double s = q.seconds();
        q.powerOff();
        if (up.isEmpty()) {
            throw new AssertionError(label + " failed: " + q.consoleStage() + "\n" + q.consoleTail(3000));
        }
        String load = Cmd.run("cat", "/proc/loadavg").output().strip() + ", guest uptime " + up.get().group(4) + " s";
        loads.add(load.substring(0, load.indexOf(' ', load.indexOf(' ') + 1)));
        System.out.printf("%s: power-on -> OS marker %.1f s (load %s)%n", label, s, load);
        return s;
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String fmt(List<Double> xs) {
        StringBuilder b = new StringBuilder();
        for (double x : xs) {
            b.append(String.format("%.1f ", x));
        }
        return b.toString().strip() + String.format(" (median %.1f)", median(xs));
    }
}
