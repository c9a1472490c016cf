package io.chainboot.e2e;

import io.chainboot.e2e.harness.BootImages;
import io.chainboot.e2e.harness.Chainboot;
import io.chainboot.e2e.harness.Firmware;
import io.chainboot.e2e.harness.Inventory;
import io.chainboot.e2e.harness.Prerequisites;
import io.chainboot.e2e.harness.Qemu;
import io.chainboot.e2e.harness.ReferenceStack;
import io.chainboot.e2e.harness.TestNamespace;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Not part of the suite (surefire excludes *Benchmark; run by bench/e2e/run.sh): power-on → marker
 * through Chainboot and through the reference stack (dnsmasq + http.server + tgtd) in the same run,
 * BIOS and UEFI (OVMF PXE + TFTP), {@code -Dbench.rounds=N} boots each. Prints a table.
 */
class BootBenchmark {
    /** The PXE paths the reference stack (dnsmasq + tgtd) serves too; UEFI HTTP Boot is measured by OvmfBootPathsTest. */
    static final List<Firmware> PXE_FIRMWARE = List.of(Firmware.BIOS, Firmware.UEFI);

    @Test
    void powerOnToMarker() throws Exception {
        Prerequisites.require(true);
        int rounds = Integer.getInteger("bench.rounds", 3);
        Path dir = Files.createDirectories(Path.of("target", "e2e", "bench")).toAbsolutePath();
        Map<Firmware, List<Double>> ref = new EnumMap<>(Firmware.class);
        Map<Firmware, List<Double>> cb = new EnumMap<>(Firmware.class);

        for (Firmware fw : PXE_FIRMWARE) {
            Path rdir = dir.resolve("reference-" + fw.name().toLowerCase());
            Path disk = BootImages.disk(fw, Files.createDirectories(rdir).resolve("disk.img"), fw.marker());
            try (TestNamespace ns = TestNamespace.create("bref", rdir);
                 ReferenceStack ignored = ReferenceStack.start(ns, disk)) {
                String tap = ns.addTap();
                ref.put(fw, boots(ns, fw, "52:54:00:77:02:01", tap, rounds, "reference"));
            }
        }

        Path cdir = dir.resolve("chainboot");
        BootImages.deleteTree(cdir.resolve("state"));
        try (TestNamespace ns = TestNamespace.create("bcb", cdir);
             Chainboot chainboot = Chainboot.up(ns, cdir.resolve("state"), "full")) {
            Inventory inventory = new Inventory(chainboot);
            for (Firmware fw : PXE_FIRMWARE) {
                String mac = fw == Firmware.BIOS ? "52:54:00:77:03:01" : "52:54:00:77:03:02";
                String host = "bench-" + fw.name().toLowerCase();
                BootImages.disk(fw, Disks.raw(chainboot.state(), host + ".img"), fw.marker());
                inventory.registerSanboot(mac, host, "RAW", host + ".img", false);
                Disks.awaitScript(chainboot, mac, Duration.ofSeconds(30));
                String tap = ns.addTap();
                cb.put(fw, boots(ns, fw, mac, tap, rounds, "chainboot"));
            }
        }

        StringBuilder table = new StringBuilder("\npower-on -> marker (s), " + rounds + " boots each, TCG, 2 cores\n");
        table.append(String.format("%-6s %-28s %-28s %s%n", "", "reference (dnsmasq+tgtd)", "chainboot", "ratio (median)"));
        for (Firmware fw : PXE_FIRMWARE) {
            double r = median(ref.get(fw));
            double c = median(cb.get(fw));
            table.append(String.format("%-6s %-28s %-28s %.2fx%n", fw, fmt(ref.get(fw)), fmt(cb.get(fw)), c / r));
        }
        System.out.println(table);
        Files.writeString(dir.resolve("result.txt"), table.toString());
    }

    private static List<Double> boots(TestNamespace ns, Firmware fw, String mac, String tap, int rounds, String who) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            Qemu.Boot b = new Qemu(ns, fw, mac, tap, who + "-" + fw.name().toLowerCase() + "-" + i).powerOn()
                    .awaitMarker(fw.marker(), Duration.ofSeconds(150));
            if (!b.markerSeen()) {
                throw new AssertionError(who + " " + fw + " boot " + i + " failed: " + b.outcome() + "\n" + b.serialTail());
            }
            System.out.printf("%s %s boot %d: %.2f s%n", who, fw, i, b.seconds());
            out.add(b.seconds());
        }
        return out;
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
            b.append(String.format("%.2f ", x));
        }
        return b.toString().strip() + String.format(" (med %.2f)", median(xs));
    }
}
