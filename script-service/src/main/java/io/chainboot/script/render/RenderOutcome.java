package io.chainboot.script.render;

/** A rendered script, or an error script that shows {@code reason} on the console and retries. */
public sealed interface RenderOutcome {
    String script();

    /** Name of the profile rendered or attempted; null when none was chosen. */
    String profile();

    /** {@code attachesSan}: the script logs in to an iSCSI disk ({@code sanboot}/{@code sanhook}). */
    record Script(String script, String profile, boolean attachesSan) implements RenderOutcome {
    }

    record Failure(String script, String profile, String reason) implements RenderOutcome {
    }
}
