package io.chainboot.script.boot;

import io.chainboot.common.MachineDirectory;
import io.chainboot.events.MachineSpec;
import io.chainboot.script.profile.Profile;
import io.chainboot.script.profile.ProfileSet;

import java.util.Map;

/**
 * Which machine is asking and which profile it gets — one decision, no I/O beyond the in-memory
 * directory. The machine is found by MAC, then by SMBIOS UUID. The profile is, in order: the menu
 * choice in the request, the machine's own {@code profile}, the first profile whose selector matches
 * the machine's labels and the request's facts (arch, platform, manufacturer, serial, hostname…),
 * the default profile.
 *
 * @param spec    the machine, or null when the directory does not know it
 * @param name    the chosen profile's name
 * @param profile the profile, or null when no profile has that name
 * @param reason  how it was chosen: {@code request}, {@code machine}, {@code selector}, {@code default}
 */
public record ProfileChoice(MachineSpec spec, String name, Profile profile, String reason) {

    public static ProfileChoice choose(BootFacts facts, MachineDirectory machines, ProfileSet profiles,
                                       String defaultProfile) {
        MachineSpec spec = machines.byMac(facts.mac())
                .or(() -> facts.uuid() == null ? java.util.Optional.empty() : machines.byUuid(facts.uuid()))
                .orElse(null);
        if (facts.profile() != null) {
            return of(spec, facts.profile(), profiles, "request");
        }
        if (spec != null && spec.profile() != null && !spec.profile().isEmpty()) {
            return of(spec, spec.profile(), profiles, "machine");
        }
        if (!profiles.selectable().isEmpty()) {
            Map<String, String> known = facts.asSelectable();
            if (spec != null) {
                known.putAll(spec.labels());
            }
            Profile selected = profiles.select(known).orElse(null);
            if (selected != null) {
                return new ProfileChoice(spec, selected.name(), selected, "selector");
            }
        }
        return of(spec, defaultProfile, profiles, "default");
    }

    private static ProfileChoice of(MachineSpec spec, String name, ProfileSet profiles, String reason) {
        return new ProfileChoice(spec, name, profiles.get(name).orElse(null), reason);
    }
}
