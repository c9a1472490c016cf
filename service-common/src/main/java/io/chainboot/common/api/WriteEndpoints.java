package io.chainboot.common.api;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The write endpoints (POST, PUT, PATCH, DELETE) a module's JAX-RS resources declare, read from
 * their annotations: what the authentication tests of each service walk, so that an endpoint
 * added later is tried too without anyone listing it.
 */
public final class WriteEndpoints {
    private WriteEndpoints() {
    }

    /** One write endpoint: HTTP method, path template ({@code /api/disks/{mac}/reset}), the Java method. */
    public record Endpoint(String method, String path, Method javaMethod) {
        /** The path with each {@code {param}} replaced by {@code values.get(param)} (or {@code x}). */
        public String path(Map<String, String> values) {
            return path.replaceAll("\\{(\\w+)(:[^}]*)?}", "\u0000$1\u0000").transform(p -> {
                StringBuilder b = new StringBuilder();
                String[] parts = p.split("\u0000", -1);
                for (int i = 0; i < parts.length; i++) {
                    b.append(i % 2 == 0 ? parts[i] : values.getOrDefault(parts[i], "x"));
                }
                return b.toString();
            });
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** Every write endpoint of the classes under {@code pkg} in the class directory or jar that holds {@code anchor}. */
    public static List<Endpoint> declaredIn(Class<?> anchor, String pkg) {
        List<Endpoint> out = new ArrayList<>();
        for (Class<?> c : classes(anchor, pkg)) {
            Path classPath = c.getAnnotation(Path.class);
            for (Method m : c.getDeclaredMethods()) {
                String verb = verb(m);
                if (verb == null) {
                    continue;
                }
                Path mp = m.getAnnotation(Path.class);
                out.add(new Endpoint(verb, join(classPath == null ? "" : classPath.value(), mp == null ? "" : mp.value()), m));
            }
        }
        out.sort(Comparator.comparing((Endpoint e) -> e.path()).thenComparing(Endpoint::method));
        return out;
    }

    private static String verb(Method m) {
        Map<Class<? extends Annotation>, String> verbs = Map.of(POST.class, "POST", PUT.class, "PUT", DELETE.class, "DELETE",
                PATCH.class, "PATCH");
        for (var e : verbs.entrySet()) {
            if (m.isAnnotationPresent(e.getKey())) {
                return e.getValue();
            }
        }
        return null;
    }

    private static String join(String a, String b) {
        String s = ("/" + a + "/" + b).replaceAll("/+", "/");
        return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static List<Class<?>> classes(Class<?> anchor, String pkg) {
        try {
            String self = anchor.getName().replace('.', '/') + ".class";
            java.net.URL url = anchor.getClassLoader().getResource(self);
            java.nio.file.Path root;
            if (url != null && "file".equals(url.getProtocol())) {
                String abs = Paths.get(url.toURI()).toString();
                root = Paths.get(abs.substring(0, abs.length() - self.length()));
            } else {
                root = Paths.get(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            }
            java.nio.file.Path dir = root.resolve(pkg.replace('.', '/'));
            List<Class<?>> out = new ArrayList<>();
            try (Stream<java.nio.file.Path> files = Files.walk(dir)) {
                for (java.nio.file.Path f : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                    out.add(Class.forName(name, false, anchor.getClassLoader()));
                }
            }
            return out;
        } catch (IOException | URISyntaxException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot list the classes of " + pkg + " next to " + anchor.getName() + ": " + e, e);
        }
    }
}
