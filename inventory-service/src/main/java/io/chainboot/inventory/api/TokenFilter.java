package io.chainboot.inventory.api;

import io.chainboot.inventory.config.InventoryConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Bearer-token check on {@code /api}: writes always need {@code chainboot.inventory.api-token}
 * (and are refused when none is configured); reads need it only when
 * {@code chainboot.inventory.read-requires-token=true}. Reads also accept {@code ?token=}, because a
 * browser's EventSource cannot send headers.
 */
public class TokenFilter {
    private final InventoryConfig config;

    public TokenFilter(InventoryConfig config) {
        this.config = config;
    }

    @ServerRequestFilter
    public Optional<Response> check(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        if (!path.startsWith("/api")) {
            return Optional.empty();
        }
        String method = ctx.getMethod();
        boolean read = "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
        if (read && !config.readRequiresToken()) {
            return Optional.empty();
        }
        Optional<String> expected = config.apiToken().filter(t -> !t.isBlank());
        if (expected.isEmpty()) {
            return Optional.of(error(Response.Status.FORBIDDEN, "no chainboot.inventory.api-token is configured"));
        }
        String given = null;
        String header = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = header.substring(7).trim();
        } else if (read) {
            given = ctx.getUriInfo().getQueryParameters().getFirst("token");
        }
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                expected.get().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"chainboot\"")
                    .type(MediaType.APPLICATION_JSON).entity(new ApiError("a valid bearer token is required")).build());
        }
        return Optional.empty();
    }

    private static Response error(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(message)).build();
    }
}
