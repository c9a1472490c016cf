package io.chainboot.inventory.live;

import io.chainboot.events.BootStage;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * {@code /stages.js}: the dashboard's stage names, generated from {@link BootStage} (the only place
 * they are spelled) — {@code STAGES}, the boot chain in order, and {@code ALL}, with the terminal
 * states after it. Loaded by index.html before dashboard.js.
 */
@Path("/stages.js")
public class StagesScript {
    static final String BODY = "// generated from io.chainboot.events.BootStage\n"
            + "const STAGES = " + names(true) + ";\n"
            + "const ALL = STAGES.concat(" + names(false) + ");\n";

    private static String names(boolean progress) {
        return Arrays.stream(BootStage.values()).filter(s -> s.isProgress() == progress)
                .map(s -> "'" + s.name() + "'").collect(Collectors.joining(", ", "[", "]"));
    }

    @GET
    @Produces("text/javascript")
    public String script() {
        return BODY;
    }
}
