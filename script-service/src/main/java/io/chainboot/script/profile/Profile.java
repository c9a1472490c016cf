package io.chainboot.script.profile;

import io.quarkus.qute.Template;

import java.util.List;
import java.util.Map;

/**
 * A named recipe for a boot script, loaded from YAML (see docs/script-service.md).
 *
 * @param name        unique name machines refer to ({@code MachineSpec.profile})
 * @param kind        what the script does
 * @param description free text for the API
 * @param priority    among profiles whose selector matches a machine, the highest priority wins (then the name)
 * @param selector    labels/facts a machine must all have for this profile to apply to it; empty = never by selector
 * @param params      kind parameters (kernel, initrd, cmdline, url, efi-filename, winpe, title, timeout, default…);
 *                    a machine's own params override them
 * @param items       menu items ({@code menu} only)
 * @param template    custom Qute template replacing the kind's built-in one, or null
 * @param source      where it was loaded from ({@code builtin:menu.yaml}, a file path, {@code api})
 */
public record Profile(String name, ProfileKind kind, String description, int priority,
                      Map<String, String> selector, Map<String, String> params, List<MenuItem> items,
                      Template template, String source) {

    public Profile {
        selector = Map.copyOf(selector);
        params = Map.copyOf(params);
        items = List.copyOf(items);
    }

    /** Whether every selector entry equals the machine's label or request fact of the same name. */
    public boolean selects(Map<String, String> labelsAndFacts) {
        if (selector.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labelsAndFacts.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
