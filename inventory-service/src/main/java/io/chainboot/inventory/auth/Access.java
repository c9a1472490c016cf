package io.chainboot.inventory.auth;

import io.chainboot.common.api.Problem;

import java.util.Optional;

/**
 * The entry point's access rule, pure: which requests need which role. Every write (anything but
 * GET/HEAD/OPTIONS), whatever its path — so that {@code //api/machines} or {@code /x/../api} cannot
 * slip past a prefix test — and every read under {@code /api/tokens} need ADMIN; other reads
 * under {@code /api} need a VIEWER token when {@code readRequiresToken}, none otherwise (the audit
 * trail, {@code /api/audit}, always needs one); reads
 * outside {@code /api} (dashboard, health, metrics, OpenAPI) need nothing. Paths are compared
 * after collapsing repeated slashes and dot segments.
 */
public final class Access {
    private Access() {
    }

    public static boolean isApi(String path) {
        String p = normalize(path);
        return p.equals("/api") || p.startsWith("/api/");
    }

    /** {@code //api/./x/../tokens} → {@code /api/tokens}. */
    public static String normalize(String path) {
        java.util.ArrayDeque<String> out = new java.util.ArrayDeque<>();
        for (String seg : path.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                out.pollLast();
            } else {
                out.addLast(seg);
            }
        }
        return "/" + String.join("/", out);
    }

    /** The role the request needs, or empty when it needs none. */
    public static Optional<Role> needed(String method, String path, boolean readRequiresToken) {
        String p = normalize(path);
        boolean read = "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
        if (!read || p.equals("/api/tokens") || p.startsWith("/api/tokens/")) {
            return Optional.of(Role.ADMIN);
        }
        if (p.equals("/api/audit") || p.startsWith("/api/audit/") || p.equals("/api/whoami")) {
            return Optional.of(Role.VIEWER); // who did what, who am I: never anonymous, even when other reads are open
        }
        return readRequiresToken && isApi(p) ? Optional.of(Role.VIEWER) : Optional.empty();
    }

    /** The problem that refuses a caller (empty = none known) for a request needing {@code needed}. */
    public static Optional<Problem> refuse(Role needed, Optional<Caller> caller) {
        if (caller.isEmpty()) {
            return Optional.of(Problem.of(Problem.Kind.UNAUTHORIZED,
                    "a valid bearer token is required (Authorization: Bearer <token>)"));
        }
        if (needed == Role.ADMIN && caller.get().role() != Role.ADMIN) {
            return Optional.of(Problem.of(Problem.Kind.FORBIDDEN,
                    "token " + caller.get().who() + " has role " + caller.get().role().wire() + "; this needs admin"));
        }
        return Optional.empty();
    }
}
