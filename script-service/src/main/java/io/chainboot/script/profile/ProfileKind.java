package io.chainboot.script.profile;

import java.util.Locale;
import java.util.Optional;

/** What a profile makes a machine do; each kind has one built-in template ({@code ipxe/<wire>.ipxe}). */
public enum ProfileKind {
    SANBOOT("sanboot"),
    INSTALL_WINDOWS("install-windows"),
    LINUX("linux"),
    MENU("menu"),
    CHAIN("chain"),
    LOCAL("local");

    private final String wire;

    ProfileKind(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Whether scripts of this kind log in to the machine's iSCSI disk. */
    public boolean usesSan() {
        return this == SANBOOT || this == INSTALL_WINDOWS;
    }

    public static Optional<ProfileKind> of(String wire) {
        if (wire == null) {
            return Optional.empty();
        }
        String w = wire.toLowerCase(Locale.ROOT);
        for (ProfileKind k : values()) {
            if (k.wire.equals(w)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
