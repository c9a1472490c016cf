package io.chainboot.inventory.api;

import io.chainboot.inventory.auth.Caller;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/whoami}: the presented token's name and role (the console enables write controls only for admin). */
@Path("/api/whoami")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "tokens")
@SecurityRequirement(name = "token")
public class WhoAmIResource {
    /** The caller as the console shows it. */
    public record Me(String tokenId, String name, String role) {
    }

    @GET
    @Operation(summary = "The name and role of the token this request carries")
    @APIResponse(responseCode = "200", description = "the caller")
    @APIResponse(responseCode = "401", description = "no valid token")
    public Me me(@Context ContainerRequestContext ctx) {
        Caller c = TokenResource.caller(ctx);
        return new Me(c.tokenId(), c.name(), c.role().wire());
    }
}
