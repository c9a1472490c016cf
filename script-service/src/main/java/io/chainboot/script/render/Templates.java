package io.chainboot.script.render;

import io.quarkus.qute.Engine;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateException;
import io.chainboot.events.Decoded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one Qute engine of the service: plain Qute (no Quarkus), strict rendering (a missing value is
 * an error, never an empty string), no escaping — values are checked by {@link IpxeText} before they
 * reach a template. In templates an iPXE setting is written {@code $\{name}} so that Qute leaves it.
 */
public final class Templates {
    public static final Engine ENGINE = Engine.builder().addDefaults().strictRendering(true).build();

    private Templates() {
    }

    public static Decoded<Template> parse(String what, String text) {
        try {
            return Decoded.valid(ENGINE.parse(text));
        } catch (TemplateException e) {
            return Decoded.invalid(what + " is not a valid Qute template: " + e.getMessage());
        }
    }

    /** A built-in template from the class path, parsed once. */
    public static Template builtin(String resource) {
        try (InputStream in = Templates.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing built-in template " + resource);
            }
            return ENGINE.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
