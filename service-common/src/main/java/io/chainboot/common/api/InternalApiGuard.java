package io.chainboot.common.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who may write to a service's internal API (script-service's profiles, iscsi-service's images and
 * disks): only a caller holding the cluster secret ({@code chainboot.common.cluster-secret},
 * {@code state/cluster-secret}) as its bearer token — in practice inventory-service's entry point,
 * which has already checked the user's own token and role. Reads stay open on the internal port.
 * With no cluster secret configured every write is refused (fail closed).
 */
public final class InternalApiGuard {
    private InternalApiGuard() {
    }

    public static boolean isRead(String method) {
        return "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
    }

    /** The problem that refuses this request, or empty when it may go on. */
    public static Optional<Problem> check(String method, String path, String authorization, Optional<String> clusterSecret) {
        if (isRead(method)) {
            return Optional.empty();
        }
        Optional<String> secret = clusterSecret.filter(s -> !s.isBlank());
        if (secret.isEmpty()) {
            return Optional.of(Problem.of(Problem.Kind.FORBIDDEN,
                    "no chainboot.common.cluster-secret is configured: writes to this API are refused"));
        }
        Optional<String> given = bearer(authorization);
        if (given.isEmpty() || !constantTimeEquals(given.get(), secret.get())) {
            return Optional.of(Problem.of(Problem.Kind.UNAUTHORIZED,
                    "writes to this internal API need the cluster secret as bearer token; use the entry point on :8080"));
        }
        return Optional.empty();
    }

    /** The token of an {@code Authorization: Bearer <token>} header (scheme case-insensitive, RFC 6750 §2.1). */
    public static Optional<String> bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String t = authorization.substring(7).trim();
        return t.isEmpty() ? Optional.empty() : Optional.of(t);
    }

    public static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
