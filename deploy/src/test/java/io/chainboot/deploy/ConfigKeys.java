package io.chainboot.deploy;

import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationValue;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.Index;
import org.jboss.jandex.Indexer;
import org.jboss.jandex.MethodInfo;
import org.jboss.jandex.Type;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The config keys a module really has: every {@code @ConfigMapping} interface in its compiled
 * classes, walked the way SmallRye Config names them — kebab-case method names (or
 * {@code @WithName}), nested groups, {@code @WithParentName}, {@code Optional} and collection
 * wrappers, {@code Map<String, Group>} as {@code name.*}. Read with Jandex from the bytecode, so
 * the check stays true as the service engineers add keys.
 */
final class ConfigKeys {
    private static final DotName CONFIG_MAPPING = DotName.createSimple("io.smallrye.config.ConfigMapping");
    private static final DotName WITH_NAME = DotName.createSimple("io.smallrye.config.WithName");
    private static final DotName WITH_PARENT_NAME = DotName.createSimple("io.smallrye.config.WithParentName");
    private static final Set<String> WRAPPERS = Set.of("java.util.Optional", "java.util.List", "java.util.Set",
            "java.util.Collection");

    private final Index index;

    private ConfigKeys(Index index) {
        this.index = index;
    }

    static ConfigKeys ofClasses(Path classesDir) {
        Indexer indexer = new Indexer();
        try (Stream<Path> files = Files.walk(classesDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    indexer.index(in);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot index " + classesDir, e);
        }
        return new ConfigKeys(indexer.complete());
    }

    /** The prefixes of every {@code @ConfigMapping} in the module. */
    Set<String> prefixes() {
        Set<String> out = new TreeSet<>();
        for (AnnotationInstance a : index.getAnnotations(CONFIG_MAPPING)) {
            AnnotationValue v = a.value("prefix");
            out.add(v == null ? "" : v.asString());
        }
        return out;
    }

    /** Every key, e.g. {@code chainboot.dhcp.pool.start}; {@code *} stands for a map key, {@code [*]} for a list index. */
    Set<String> keys() {
        Set<String> out = new TreeSet<>();
        for (AnnotationInstance a : index.getAnnotations(CONFIG_MAPPING)) {
            ClassInfo c = a.target().asClass();
            AnnotationValue v = a.value("prefix");
            AnnotationValue naming = a.value("namingStrategy");
            walk(c, v == null ? "" : v.asString(), naming == null ? "KEBAB_CASE" : naming.asEnum(), out, new ArrayList<>());
        }
        return out;
    }

    private void walk(ClassInfo c, String prefix, String naming, Set<String> out, List<DotName> seen) {
        if (seen.contains(c.name())) {
            return; // a recursive group
        }
        seen.add(c.name());
        for (DotName sup : c.interfaceNames()) {
            ClassInfo s = index.getClassByName(sup);
            if (s != null) {
                walk(s, prefix, naming, out, seen);
            }
        }
        for (MethodInfo m : c.methods()) {
            if (m.parametersCount() != 0 || !Modifier.isAbstract(m.flags()) || Modifier.isStatic(m.flags())) {
                continue;
            }
            String name;
            if (m.hasDeclaredAnnotation(WITH_PARENT_NAME)) {
                name = null;
            } else if (m.hasDeclaredAnnotation(WITH_NAME)) {
                name = m.declaredAnnotation(WITH_NAME).value().asString();
            } else {
                name = rename(m.name(), naming);
            }
            String key = name == null ? prefix : prefix.isEmpty() ? name : prefix + "." + name;
            leafOrGroup(m.returnType(), key, naming, out, seen);
        }
        seen.remove(c.name());
    }

    private void leafOrGroup(Type t, String key, String naming, Set<String> out, List<DotName> seen) {
        String raw = t.name().toString();
        if (t.kind() == Type.Kind.PARAMETERIZED_TYPE) {
            List<Type> args = t.asParameterizedType().arguments();
            if (raw.equals("java.util.Map") && args.size() == 2) {
                leafOrGroup(args.get(1), key + ".*", naming, out, seen);
                out.add(key + ".*");
                return;
            }
            if (WRAPPERS.contains(raw) && args.size() == 1) {
                ClassInfo group = group(args.get(0));
                if (group != null) {
                    walk(group, raw.equals("java.util.Optional") ? key : key + "[*]", naming, out, seen);
                } else {
                    out.add(key);
                }
                return;
            }
        }
        ClassInfo group = group(t);
        if (group != null) {
            walk(group, key, naming, out, seen);
        } else {
            out.add(key);
        }
    }

    /** A nested config group: an interface compiled in this module (not an enum or a value type). */
    private ClassInfo group(Type t) {
        if (t.kind() != Type.Kind.CLASS && t.kind() != Type.Kind.PARAMETERIZED_TYPE) {
            return null;
        }
        ClassInfo c = index.getClassByName(t.name());
        return c != null && Modifier.isInterface(c.flags()) && !c.isAnnotation() ? c : null;
    }

    static String rename(String method, String naming) {
        if (naming.equals("VERBATIM")) {
            return method;
        }
        String sep = naming.equals("SNAKE_CASE") ? "_" : "-";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < method.length(); i++) {
            char ch = method.charAt(i);
            if (Character.isUpperCase(ch)) {
                boolean prevLower = i > 0 && !Character.isUpperCase(method.charAt(i - 1));
                boolean nextLower = i + 1 < method.length() && Character.isLowerCase(method.charAt(i + 1));
                if (i > 0 && (prevLower || nextLower)) {
                    b.append(sep);
                }
                b.append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    /** SmallRye's environment-variable form of a key: upper case, every non-alphanumeric character '_'. */
    static String envName(String key) {
        return key.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** Does the environment variable name one of these keys ({@code *} matching any map key)? */
    static boolean envMatches(String env, Set<String> keys) {
        for (String k : keys) {
            if (k.contains("*")) {
                String regex = wildcardRegex(k);
                if (env.matches(regex)) {
                    return true;
                }
            } else if (envName(k).equals(env)) {
                return true;
            }
        }
        return false;
    }

    private static String wildcardRegex(String key) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < key.length()) {
            if (key.startsWith("[*]", i)) {
                b.append("_[0-9]+_");
                i += 3;
            } else if (key.charAt(i) == '*') {
                b.append("[A-Z0-9_]+");
                i++;
            } else {
                char c = key.charAt(i);
                b.append(Character.isLetterOrDigit(c) ? String.valueOf(Character.toUpperCase(c)) : "_");
                i++;
            }
        }
        return b.toString();
    }

    /** Does a property key name one of these keys ({@code *} matching one map key segment)? */
    static boolean keyMatches(String key, Set<String> keys) {
        for (String k : keys) {
            if (k.equals(key)) {
                return true;
            }
            if (k.contains("*")) {
                String regex = Pattern.quote(k).replace("[*]", "\\E\\[[0-9]+\\]\\Q").replace("*", "\\E[^.]+\\Q");
                if (key.matches(regex)) {
                    return true;
                }
            }
        }
        return false;
    }
}
