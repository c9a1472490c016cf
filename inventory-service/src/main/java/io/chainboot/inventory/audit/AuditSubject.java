package io.chainboot.inventory.audit;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a write under {@code /api} is about, pure: the entity kind and id taken from the path, or
 * from the answer's {@code Location} when the request created something whose id it did not name
 * ({@code POST /api/machines}, {@code POST /api/tokens}). {@code /api/disks/M/snapshots/s/restore}
 * is about disk M, {@code /api/profiles/validate} about the profiles (no id), a path of no entity
 * (or no such path) is kind {@code api}.
 */
public record AuditSubject(String kind, String id) {
    private static final Pattern PATH = Pattern.compile("/api/(machines|tokens|images|disks|profiles)(?:/([^/?]+))?.*");

    public static AuditSubject of(String path, Optional<String> location) {
        Optional<AuditSubject> fromLocation = location.flatMap(AuditSubject::parse).filter(s -> s.id() != null);
        return fromLocation.or(() -> parse(path)).orElse(new AuditSubject("api", null));
    }

    private static Optional<AuditSubject> parse(String path) {
        String p = path;
        int scheme = p.indexOf("://");
        if (scheme >= 0) {
            int slash = p.indexOf('/', scheme + 3);
            p = slash < 0 ? "/" : p.substring(slash);
        }
        int q = p.indexOf('?');
        Matcher m = PATH.matcher(q < 0 ? p : p.substring(0, q));
        if (!m.matches()) {
            return Optional.empty();
        }
        String kind = switch (m.group(1)) {
            case "machines" -> "machine";
            case "tokens" -> "token";
            case "images" -> "image";
            case "disks" -> "disk";
            default -> "profile";
        };
        String id = m.group(2);
        if (id != null && kind.equals("profile") && (id.equals("validate") || id.equals("reload"))) {
            id = null; // an action on the profile set, not a profile's name
        }
        if (id != null) {
            id = java.net.URLDecoder.decode(id, java.nio.charset.StandardCharsets.UTF_8);
            if (kind.equals("machine") || kind.equals("disk")) {
                try {
                    id = io.chainboot.events.MacAddress.parse(id).toString(); // one spelling per machine
                } catch (IllegalArgumentException notAMac) {
                    // kept as given: the answer was a 400 naming it
                }
            }
        }
        return Optional.of(new AuditSubject(kind, id));
    }

    /** {@code machine:52:54:00:12:34:56}, or the kind alone. */
    public String label() {
        return id == null ? kind : kind + ":" + id;
    }
}
