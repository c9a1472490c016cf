package io.chainboot.script.api;

import io.chainboot.script.profile.MenuItem;
import io.chainboot.script.profile.Profile;

import java.util.List;
import java.util.Map;

/** A profile as the REST API shows it. */
public record ProfileView(String name, String kind, String description, int priority, Map<String, String> selector,
                          Map<String, String> params, List<MenuItem> items, boolean customTemplate, String source) {
    public static ProfileView of(Profile p) {
        return new ProfileView(p.name(), p.kind().wire(), p.description(), p.priority(), p.selector(), p.params(),
                p.items(), p.template() != null, p.source());
    }
}
