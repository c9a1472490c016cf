package io.chainboot.script.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable snapshot of all profiles: by name, the ones with selectors in the order they are
 * tried (priority, highest first, then name), and the files that could not be loaded.
 */
public record ProfileSet(Map<String, Profile> byName, List<Profile> selectable, List<Problem> problems) {

    /** A profile file that was refused, and why. */
    public record Problem(String source, String reason) {
    }

    public static ProfileSet of(List<Profile> profiles, List<Problem> problems) {
        Map<String, Profile> byName = new TreeMap<>();
        for (Profile p : profiles) {
            byName.put(p.name(), p); // later sources (the profiles directory) replace built-ins
        }
        List<Profile> selectable = new ArrayList<>();
        for (Profile p : byName.values()) {
            if (!p.selector().isEmpty()) {
                selectable.add(p);
            }
        }
        selectable.sort(Comparator.comparingInt(Profile::priority).reversed().thenComparing(Profile::name));
        List<Problem> all = new ArrayList<>(problems);
        for (Profile p : byName.values()) {
            for (MenuItem i : p.items()) {
                if (!byName.containsKey(i.profile()) && !"shell".equals(i.profile())) {
                    all.add(new Problem(p.source(), "menu " + p.name() + ": item " + i.profile() + " names no profile"));
                }
            }
        }
        return new ProfileSet(Map.copyOf(byName), List.copyOf(selectable), List.copyOf(all));
    }

    public Optional<Profile> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The first profile whose selector matches, if any. */
    public Optional<Profile> select(Map<String, String> labelsAndFacts) {
        for (Profile p : selectable) {
            if (p.selects(labelsAndFacts)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
