package io.chainboot.inventory.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /api}: what the entry point serves (the address {@code ./chainboot up} prints), so it is not a 404. */
@Path("/api")
@Tag(name = "entry point")
public class IndexResource {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The resources of the entry point and where their documentation is")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "200", description = "the resources")
    public Map<String, String> index() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("machines", "/api/machines");
        m.put("stats", "/api/stats");
        m.put("stream", "/api/stream");
        m.put("tokens", "/api/tokens");
        m.put("audit", "/api/audit");
        m.put("images", "/api/images");
        m.put("disks", "/api/disks");
        m.put("sessions", "/api/sessions");
        m.put("profiles", "/api/profiles");
        m.put("preview", "/api/preview/{mac}");
        m.put("openapi", "/q/openapi");
        m.put("docs", "docs/api.md");
        return m;
    }
}
