package io.chainboot.inventory.api;

import io.chainboot.common.api.Problem;
import io.chainboot.common.api.Problems;
import io.chainboot.inventory.auth.Caller;
import io.chainboot.inventory.auth.Role;
import io.chainboot.inventory.auth.Tokens;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.List;

/** API tokens (admin only, reads included): list, create with a role (the secret is shown once), revoke. */
@Path("/api/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "tokens")
@SecurityRequirement(name = "token")
public class TokenResource {
    private final Tokens tokens;

    public TokenResource(Tokens tokens) {
        this.tokens = tokens;
    }

    /** Body of POST /api/tokens. */
    public record NewToken(String name, String role) {
    }

    @GET
    @Operation(summary = "Every token ever created, revoked ones too; never their secret")
    @APIResponse(responseCode = "200", description = "the tokens")
    @APIResponse(responseCode = "401", description = "no valid token")
    @APIResponse(responseCode = "403", description = "not an admin token")
    public List<Tokens.TokenView> list() {
        return tokens.list();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a token with role viewer or admin; the answer holds its secret, shown this once")
    @APIResponse(responseCode = "201", description = "created; body has the token")
    @APIResponse(responseCode = "400", description = "name or role invalid, unknown field")
    @APIResponse(responseCode = "401", description = "no valid token")
    @APIResponse(responseCode = "403", description = "not an admin token")
    @APIResponse(responseCode = "413", description = "the body is over 1 MiB")
    public Response create(NewToken body, @Context ContainerRequestContext ctx) {
        if (body == null) {
            throw Problems.badField("name", "a body {\"name\": ..., \"role\": \"viewer\"|\"admin\"} is required");
        }
        try {
            Tokens.checkName(body.name());
        } catch (IllegalArgumentException e) {
            throw Problems.badField("name", e.getMessage());
        }
        Role role;
        try {
            role = Role.parse(body.role());
        } catch (IllegalArgumentException e) {
            throw Problems.badField("role", e.getMessage());
        }
        Tokens.Created c = tokens.create(body.name(), role, caller(ctx));
        return Response.created(URI.create("/api/tokens/" + c.id())).entity(c).build();
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Revoke a token: it is refused from now on (the bootstrap token of state/api-token cannot be revoked)")
    @APIResponse(responseCode = "204", description = "revoked")
    @APIResponse(responseCode = "401", description = "no valid token")
    @APIResponse(responseCode = "403", description = "not an admin token")
    @APIResponse(responseCode = "404", description = "no such token")
    public Response revoke(@PathParam("id") String id, @Context ContainerRequestContext ctx) {
        return tokens.revoke(id, caller(ctx)) ? Response.noContent().build()
                : Problems.response(Problem.Kind.NOT_FOUND, "no token " + id);
    }

    static Caller caller(ContainerRequestContext ctx) {
        Object c = ctx.getProperty(Caller.PROPERTY);
        if (c instanceof Caller caller) {
            return caller;
        }
        throw new IllegalStateException("no caller on an admin request: TokenFilter did not run");
    }
}
