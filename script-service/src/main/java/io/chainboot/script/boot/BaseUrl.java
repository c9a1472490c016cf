package io.chainboot.script.boot;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The URL scripts use to reach this service: {@code chainboot.script.base-url} when set, else
 * {@code <scheme>://<Host header>} — but only when the Host header is a plain host[:port] (RFC 9110
 * §7.2), since it is written into the script. Empty = use links relative to the script's own URL.
 */
public final class BaseUrl {
    private static final Pattern HOST = Pattern.compile("([A-Za-z0-9]([A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:.]{2,45}\\])(:[0-9]{1,5})?");

    private BaseUrl() {
    }

    public static Optional<String> of(Optional<String> configured, String scheme, String hostHeader) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            String c = configured.get().strip();
            return Optional.of(c.endsWith("/") ? c.substring(0, c.length() - 1) : c);
        }
        if (hostHeader == null || !HOST.matcher(hostHeader).matches()) {
            return Optional.empty();
        }
        return Optional.of(("https".equals(scheme) ? "https" : "http") + "://" + hostHeader);
    }
}
