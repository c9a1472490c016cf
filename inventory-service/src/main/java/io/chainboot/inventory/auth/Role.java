package io.chainboot.inventory.auth;

import java.util.Locale;

/**
 * What a token may do at the entry point. VIEWER: every read (GET/HEAD) of machines, boots, stats,
 * profiles, images, disks, sessions, and the live stream. ADMIN: also every write, and the token
 * API itself ({@code /api/tokens}, reads included).
 */
public enum Role {
    VIEWER, ADMIN;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String s) {
        for (Role r : values()) {
            if (r.wire().equals(s)) {
                return r;
            }
        }
        throw new IllegalArgumentException("role must be 'viewer' or 'admin', not '" + s + "'");
    }
}
