package io.chainboot.script.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.chainboot.common.api.Problem;
import io.chainboot.events.MachineSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a write of the profile API does, decided without I/O: the file to write (and its text) or
 * to remove, or a refusal naming the field, with its problem kind. A document is checked by
 * {@link ProfileParser#check} and, with every other loaded profile, by {@link ProfileSet#of} — the
 * same two checks the files get at start and on reload — so an accepted write never becomes a
 * refused file. Profiles live one per file in the profiles directory, {@code <name>.yaml} (an
 * existing profile keeps the file it came from); a built-in profile is replaced by writing a file
 * of its name, and comes back when that file is deleted.
 */
public final class ProfileEdits {
    /** Largest profile document accepted (a profile is a few lines; a template a page). */
    public static final int MAX_DOCUMENT_BYTES = 64 * 1024;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE));

    private ProfileEdits() {
    }

    /** The outcome of a planned write. */
    public sealed interface Plan {
    }

    /**
     * Write {@code text} to {@code file}: {@code created} when no profile of that name was loaded
     * (a built-in replaced is not created), {@code replacedBuiltin} when a built-in one is.
     */
    public record Write(Path file, String text, Profile profile, boolean created, boolean replacedBuiltin) implements Plan {
    }

    /** Remove {@code file}; {@code builtinAgain} is the built-in profile of the same name that then applies, if any. */
    public record Remove(Path file, Optional<Profile> builtinAgain) implements Plan {
    }

    /** Refused: nothing is written. */
    public record Refuse(Problem.Kind kind, String field, String reason) implements Plan {
        public Problem problem() {
            return field == null ? Problem.of(kind, reason)
                    : new Problem(kind.type(), kind.title(), kind.status(), field + ": " + reason, field);
        }
    }

    private static Refuse field(String field, String reason) {
        return new Refuse(Problem.Kind.INVALID_FIELD, field, reason);
    }

    private static Optional<Refuse> badName(String name) {
        if (name == null || !ProfileParser.NAME.matcher(name).matches()) {
            return Optional.of(field("name", "a profile name is 1-63 lower-case letters, digits or '-' (no path characters), got '"
                    + name + "'"));
        }
        return Optional.empty();
    }

    /** Whether the profile was read from a file (not a built-in). */
    static boolean fromFile(Profile p) {
        return !p.source().startsWith("builtin:");
    }

    /**
     * PUT: {@code doc} (read from {@code text}, or from a JSON body when {@code text} is null) replaces
     * profile {@code name}, or creates it. A document without {@code name} gets the path's; another
     * name is refused. The file keeps the document's own text (comments and all) when it names the
     * profile; otherwise it is the document written as YAML.
     */
    public static Plan put(ProfileSet set, Path dir, String name, JsonNode doc, String text) {
        Optional<Refuse> bad = badName(name);
        if (bad.isPresent()) {
            return bad.get();
        }
        if (doc == null || !doc.isObject()) {
            return new Refuse(Problem.Kind.MALFORMED_BODY, null, "a profile is a YAML or JSON mapping with at least kind");
        }
        ObjectNode tree = ((ObjectNode) doc).deepCopy();
        JsonNode given = tree.get("name");
        boolean keepText = text != null;
        if (given == null || given.isNull()) {
            ObjectNode named = tree.objectNode().put("name", name);
            named.setAll(tree);
            tree = named;
            keepText = false;
        } else if (!given.isTextual() || !given.asText().equals(name)) {
            return field("name", "the document names profile '" + given.asText() + "', the path '" + name + "' (rename = create the new, delete the old)");
        }
        Optional<Profile> old = set.get(name);
        Path file = old.filter(ProfileEdits::fromFile).map(p -> Path.of(p.source())).orElse(dir.resolve(name + ".yaml"));
        for (Profile other : set.byName().values()) {
            if (!other.name().equals(name) && fromFile(other) && Path.of(other.source()).equals(file)) {
                return new Refuse(Problem.Kind.CONFLICT, null, "file " + file.getFileName() + " holds profile " + other.name());
            }
        }
        ProfileParser.Checked checked = ProfileParser.check(tree, file.toString());
        if (checked instanceof ProfileParser.Refused r) {
            return field(r.refusal().field(), r.refusal().reason());
        }
        Profile profile = ((ProfileParser.Accepted) checked).profile();
        List<Profile> after = new ArrayList<>();
        set.byName().values().stream().filter(p -> !p.name().equals(name)).forEach(after::add);
        after.add(profile);
        for (ProfileSet.Problem p : ProfileSet.of(after, List.of()).problems()) {
            if (p.source().equals(profile.source())) {
                return field("items", p.reason());
            }
        }
        String out;
        try {
            out = keepText ? text : YAML.writeValueAsString(tree);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return new Refuse(Problem.Kind.MALFORMED_BODY, null, "cannot write the document as YAML: " + e.getOriginalMessage());
        }
        if (out.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_DOCUMENT_BYTES) {
            return new Refuse(Problem.Kind.TOO_LARGE, null, "a profile document is at most " + MAX_DOCUMENT_BYTES + " bytes");
        }
        return new Write(file, out, profile, old.isEmpty(), old.filter(p -> !fromFile(p)).isPresent());
    }

    /**
     * PATCH (RFC 7396 JSON merge patch) of profile {@code name}, whose current document is
     * {@code current}: members of the patch replace the document's, {@code null} removes one,
     * objects ({@code params}, {@code selector}) merge member by member, lists ({@code items}) are
     * replaced whole. The name cannot change. The result is checked and written as {@link #put}.
     */
    public static Plan patch(ProfileSet set, Path dir, String name, JsonNode current, JsonNode patch) {
        Optional<Refuse> bad = badName(name);
        if (bad.isPresent()) {
            return bad.get();
        }
        if (set.get(name).isEmpty() || current == null) {
            return new Refuse(Problem.Kind.NOT_FOUND, null, "no profile " + name);
        }
        if (patch == null || !patch.isObject()) {
            return new Refuse(Problem.Kind.MALFORMED_BODY, null, "a merge patch is a JSON object");
        }
        if (patch.has("name") && !(patch.get("name").isTextual() && patch.get("name").asText().equals(name))) {
            return field("name", "a profile's name cannot change (create the new, delete the old)");
        }
        return put(set, dir, name, merge(current, patch), null);
    }

    /** RFC 7396 §2 MergePatch(target, patch). */
    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode out = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : YAML.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                out.remove(e.getKey());
            } else {
                out.set(e.getKey(), merge(out.get(e.getKey()), e.getValue()));
            }
        }
        return out;
    }

    /**
     * DELETE: only a profile read from a file can be deleted. When no built-in profile of that name
     * takes its place, it is refused while a machine's spec names it, a menu offers it or it is the
     * default profile — each of those would get an error script at boot.
     */
    public static Plan delete(ProfileSet set, ProfileSet builtins, String name, Collection<MachineSpec> machines,
                              String defaultProfile) {
        Optional<Refuse> bad = badName(name);
        if (bad.isPresent()) {
            return bad.get();
        }
        Optional<Profile> p = set.get(name);
        if (p.isEmpty()) {
            return new Refuse(Problem.Kind.NOT_FOUND, null, "no profile " + name);
        }
        if (!fromFile(p.get())) {
            return new Refuse(Problem.Kind.CONFLICT, null, "profile " + name + " is built in: it cannot be deleted "
                    + "(PUT replaces it with a file of your own)");
        }
        Optional<Profile> builtin = builtins.get(name);
        if (builtin.isEmpty()) {
            List<String> users = machines.stream().filter(m -> name.equals(m.profile())).map(m -> m.mac().toString()).sorted().toList();
            if (!users.isEmpty()) {
                return new Refuse(Problem.Kind.CONFLICT, null, "profile " + name + " is the profile of " + users.size() + " machine(s): "
                        + String.join(", ", users.subList(0, Math.min(10, users.size()))) + (users.size() > 10 ? ", …" : "")
                        + " (give them another profile first)");
            }
            List<String> menus = set.byName().values().stream().filter(m -> m.items().stream().anyMatch(i -> i.profile().equals(name)))
                    .map(Profile::name).sorted().toList();
            if (!menus.isEmpty()) {
                return new Refuse(Problem.Kind.CONFLICT, null, "profile " + name + " is an item of menu " + String.join(", ", menus));
            }
            if (name.equals(defaultProfile)) {
                return new Refuse(Problem.Kind.CONFLICT, null, "profile " + name + " is the default profile (chainboot.script.default-profile)");
            }
        }
        return new Remove(Path.of(p.get().source()), builtin);
    }
}
