package io.chainboot.e2e.harness;

import io.chainboot.events.BootStage;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stages a boot must show in the inventory, and — when it does not — which stage the chain
 * stopped at, who serves that stage, and the evidence (timeline, serial console, service log).
 */
public final class BootChain {
    /** Which service serves each stage, so a failure points at the right log. */
    public static final Map<BootStage, String> SERVED_BY = Map.of(
            BootStage.PXE_DHCP, "dhcp-service", BootStage.FIRMWARE_LOADED, "tftp-service",
            BootStage.IPXE_DHCP, "dhcp-service", BootStage.SCRIPT, "script-service",
            BootStage.SAN_ATTACHED, "iscsi-service");

    private BootChain() {
    }

    /**
     * BIOS: the e1000's option ROM already is iPXE, so the machine's one and only DHCP exchange
     * carries user class iPXE (IPXE_DHCP) and there is neither a PXE_DHCP by other firmware nor a
     * TFTP stage — on the wire exactly as with the reference stack. UEFI: OVMF's PXE DHCP, TFTP of
     * ipxe.efi, then iPXE's own DHCP: all five stages.
     */
    public static List<BootStage> expected(Firmware firmware) {
        return firmware == Firmware.BIOS
                ? List.of(BootStage.IPXE_DHCP, BootStage.SCRIPT, BootStage.SAN_ATTACHED)
                : List.of(BootStage.PXE_DHCP, BootStage.FIRMWARE_LOADED, BootStage.IPXE_DHCP, BootStage.SCRIPT,
                BootStage.SAN_ATTACHED);
    }

    /** The first expected stage the timeline lacks, if any. */
    public static Optional<BootStage> firstMissing(Firmware firmware, List<Inventory.StageAt> seen) {
        return expected(firmware).stream().filter(s -> seen.stream().noneMatch(a -> a.stage() == s)).findFirst();
    }

    /** "the chain stopped at SCRIPT (script-service): reached PXE_DHCP, IPXE_DHCP" */
    public static String stoppedAt(BootStage missing, List<Inventory.StageAt> seen) {
        return "the boot chain stopped at " + missing + " (served by " + SERVED_BY.getOrDefault(missing, "?")
                + "): the inventory shows " + (seen.isEmpty() ? "no stage at all" : describe(seen));
    }

    /**
     * Where a BIOS boot stopped as the guest's own iPXE console (COM1) tells it, for boots the
     * inventory cannot tell apart: a machine whose firmware is iPXE itself (the e1000 ROM) sends
     * no PXE DHCP when it boots again, so inventory-service folds its next boot into the finished
     * attempt. Empty if the console shows the SAN boot started.
     */
    public static Optional<String> stoppedAtOnConsole(String serial) {
        String s = serial.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "");
        BootStage missing;
        if (!java.util.regex.Pattern.compile("Configuring \\(net0 [^)]*\\)[. ]*ok").matcher(s).find()) {
            missing = BootStage.IPXE_DHCP;
        } else if (!s.contains("[script]")) {
            missing = BootStage.SCRIPT;
        } else if (!s.contains("Booting from SAN device")) {
            missing = BootStage.SAN_ATTACHED;
        } else {
            return Optional.empty();
        }
        return Optional.of("the boot chain stopped at " + missing + " (served by " + SERVED_BY.get(missing)
                + "), as the guest's iPXE console shows");
    }

    public static String describe(List<Inventory.StageAt> seen) {
        StringBuilder b = new StringBuilder();
        for (Inventory.StageAt s : seen) {
            if (b.length() > 0) {
                b.append(" → ");
            }
            b.append(s.stage()).append(" @ ").append(s.at());
        }
        return b.toString();
    }

    /** Stages sorted by time must be in chain order, and lie within the boot's wall-clock window. */
    public static Optional<String> timingProblem(List<Inventory.StageAt> seen, Instant poweredOn, Instant after) {
        BootStage prev = null;
        for (Inventory.StageAt s : seen) {
            if (s.at().isBefore(poweredOn.minusSeconds(2)) || s.at().isAfter(after.plusSeconds(2))) {
                return Optional.of(s.stage() + " at " + s.at() + " lies outside the boot (" + poweredOn + " .. " + after + ")");
            }
            if (prev != null && s.stage().ordinal() < prev.ordinal()) {
                return Optional.of(s.stage() + " at " + s.at() + " comes after " + prev + " in time: out of chain order");
            }
            prev = s.stage();
        }
        return Optional.empty();
    }
}
