package io.chainboot.script.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.chainboot.events.Decoded;
import io.chainboot.script.render.IpxeText;
import io.chainboot.script.render.Templates;
import io.quarkus.qute.Template;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one profile from YAML. Pure: text in, {@link Decoded} out; every mistake (unknown field,
 * missing kernel, menu default that is no item, bad template…) is a reason, not an exception.
 */
public final class ProfileParser {
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern PARAM = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Set<String> FIELDS = Set.of("name", "kind", "description", "priority", "selector", "params",
            "items", "template");
    // a key given twice is refused, not silently the last one
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ProfileParser() {
    }

    /** A profile document that was refused: the field at fault ({@code document} for the whole text) and why. */
    public record Refusal(String field, String reason) {
    }

    /** What {@link #check} found: the profile, or the first refusal. */
    public sealed interface Checked {
    }

    public record Accepted(Profile profile) implements Checked {
    }

    public record Refused(Refusal refusal) implements Checked {
    }

    /** {@link #check}, as a {@link Decoded} whose reason is the refusal's reason. */
    public static Decoded<Profile> parse(String yaml, String source) {
        Checked c = check(yaml, source);
        return c instanceof Accepted a ? Decoded.valid(a.profile()) : Decoded.invalid(((Refused) c).refusal().reason());
    }

    /**
     * The one check of a profile document, used for files at start and on reload and for every
     * document given to the API: the refusal names the field at fault.
     */
    public static Checked check(String yaml, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (Exception e) {
            return refused("document", "not YAML: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            return refused("document", "a profile is a YAML mapping with at least name and kind");
        }
        return check(root, source);
    }

    /** {@link #check(String, String)} of a document already read as a tree (a JSON body, a merged patch). */
    public static Checked check(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            return refused("document", "a profile is a YAML mapping with at least name and kind");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                return refused(f, "unknown field '" + f + "' (known: " + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
            }
        }
        String name = text(root, "name");
        if (name == null || !NAME.matcher(name).matches()) {
            return refused("name", "name must be 1-63 lower-case letters, digits or '-', got '" + name + "'");
        }
        String kindText = text(root, "kind");
        ProfileKind kind = ProfileKind.of(kindText).orElse(null);
        if (kind == null) {
            return refused("kind", "profile " + name + ": kind must be one of sanboot, install-windows, linux, menu, chain, local; got '" + kindText + "'");
        }
        if (root.has("description") && !root.get("description").isNull() && !root.get("description").isValueNode()) {
            return refused("description", "profile " + name + ": description must be text");
        }
        String description = text(root, "description");
        int priority = 0;
        if (root.has("priority")) {
            if (!root.get("priority").canConvertToInt() || !root.get("priority").isIntegralNumber()) {
                return refused("priority", "profile " + name + ": priority must be an integer");
            }
            priority = root.get("priority").intValue();
        }
        Decoded<Map<String, String>> selector = stringMap(root.get("selector"), "profile " + name + ": selector");
        if (selector instanceof Decoded.Invalid<Map<String, String>> bad) {
            return refused("selector", bad.reason());
        }
        Decoded<Map<String, String>> params = stringMap(root.get("params"), "profile " + name + ": params");
        if (params instanceof Decoded.Invalid<Map<String, String>> bad) {
            return refused("params", bad.reason());
        }
        for (Map.Entry<String, String> p : params.orElseThrow().entrySet()) {
            if (!PARAM.matcher(p.getKey()).matches()) {
                return refused("params", "profile " + name + ": parameter name '" + p.getKey() + "' must be lower-case letters, digits or '-'");
            }
            if (!IpxeText.isLine(p.getValue())) {
                return refused("params." + p.getKey(), "profile " + name + ": parameter " + p.getKey() + " must be one line of printable ASCII");
            }
        }
        Decoded<List<MenuItem>> items = items(root.get("items"), name);
        if (items instanceof Decoded.Invalid<List<MenuItem>> bad) {
            return refused("items", bad.reason());
        }
        Template template = null;
        if (root.hasNonNull("template")) {
            if (!root.get("template").isTextual()) {
                return refused("template", "profile " + name + ": template must be text");
            }
            Decoded<Template> t = Templates.parse("profile " + name + ": template", root.get("template").asText());
            if (t instanceof Decoded.Invalid<Template> bad) {
                return refused("template", bad.reason());
            }
            template = t.orElseThrow();
        }
        Profile profile = new Profile(name, kind, description, priority, selector.orElseThrow(), params.orElseThrow(),
                items.orElseThrow(), template, source);
        Refusal problem = kindProblem(profile);
        return problem == null ? new Accepted(profile) : refused(problem.field(), "profile " + name + ": " + problem.reason());
    }

    private static Refused refused(String field, String reason) {
        return new Refused(new Refusal(field, reason));
    }

    /** What a kind needs before it can render; null when the profile is complete. */
    static Refusal kindProblem(Profile p) {
        Map<String, String> params = p.params();
        if (p.kind() != ProfileKind.MENU && !p.items().isEmpty()) {
            return new Refusal("items", "items are only for kind menu");
        }
        switch (p.kind()) {
            case LINUX:
                if (!params.containsKey("kernel")) {
                    return new Refusal("params.kernel", "kind linux needs params.kernel");
                }
                String sanhook = params.get("sanhook");
                if (sanhook != null && !sanhook.equals("true") && !sanhook.equals("false")) {
                    return new Refusal("params.sanhook", "params.sanhook must be true or false, got '" + sanhook + "'");
                }
                if (params.containsKey("cmdline")) {
                    Decoded<Template> t = Templates.parse("params.cmdline", params.get("cmdline"));
                    if (t instanceof Decoded.Invalid<Template> bad) {
                        return new Refusal("params.cmdline", bad.reason());
                    }
                }
                return null;
            case CHAIN:
                return params.containsKey("url") ? null : new Refusal("params.url", "kind chain needs params.url");
            case MENU:
                if (p.items().isEmpty()) {
                    return new Refusal("items", "kind menu needs at least one item");
                }
                String def = params.get("default");
                if (def != null && p.items().stream().noneMatch(i -> i.profile().equals(def))) {
                    return new Refusal("params.default", "params.default '" + def + "' is not one of the items");
                }
                String timeout = params.get("timeout");
                if (timeout != null && !timeout.matches("[0-9]{1,5}")) {
                    return new Refusal("params.timeout", "params.timeout must be whole seconds");
                }
                return null;
            default:
                return null;
        }
    }

    private static Decoded<List<MenuItem>> items(JsonNode node, String name) {
        List<MenuItem> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return Decoded.valid(out);
        }
        if (!node.isArray()) {
            return Decoded.invalid("profile " + name + ": items must be a list");
        }
        for (JsonNode item : node) {
            String profile = text(item, "profile");
            String label = text(item, "label");
            String key = text(item, "key");
            if (profile == null || !NAME.matcher(profile).matches()) {
                return Decoded.invalid("profile " + name + ": every item needs a profile name, got '" + profile + "'");
            }
            if (label == null) {
                label = profile;
            }
            if (!IpxeText.isLine(label) || label.isBlank()) {
                return Decoded.invalid("profile " + name + ": item " + profile + " label must be one line of printable ASCII");
            }
            if (key != null && !key.matches("[a-z0-9]")) {
                return Decoded.invalid("profile " + name + ": item " + profile + " key must be one letter or digit");
            }
            out.add(new MenuItem(profile, label, key));
        }
        return Decoded.valid(out);
    }

    private static Decoded<Map<String, String>> stringMap(JsonNode node, String what) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return Decoded.valid(out);
        }
        if (!node.isObject()) {
            return Decoded.invalid(what + " must be a mapping");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                return Decoded.invalid(what + "." + e.getKey() + " must be a single value");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return Decoded.valid(out);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
