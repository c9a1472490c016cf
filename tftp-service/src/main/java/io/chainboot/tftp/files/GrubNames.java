package io.chainboot.tftp.files;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The TFTP names of the Secure Boot path's GRUB configurations, which script-service renders: Debian's signed
 * network GRUB ({@code grubnetx64}, prefix {@code /grub}) reads {@code grub/grub.cfg} from its TFTP server,
 * and Chainboot's stub there makes it read {@code grub/grub.cfg-<its MAC>} next. Pure.
 */
public final class GrubNames {
    private static final Pattern MACHINE = Pattern.compile("grub\\.cfg-[0-9A-Fa-f:-]{12,17}");

    private GrubNames() {
    }

    /** A requested name as a path relative to the root: {@code \} is a separator, leading separators dropped. */
    public static String relative(String requested) {
        String n = requested.replace('\\', '/');
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        return n;
    }

    /** The file under script-service's {@code /grub/} that answers {@code requested}, if it is one of those names. */
    public static Optional<String> rendered(String requested) {
        String n = relative(requested);
        if (!n.startsWith("grub/")) {
            return Optional.empty();
        }
        String file = n.substring("grub/".length());
        return file.equals("grub.cfg") || MACHINE.matcher(file).matches() ? Optional.of(file) : Optional.empty();
    }
}
