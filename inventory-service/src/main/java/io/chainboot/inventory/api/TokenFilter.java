package io.chainboot.inventory.api;

import io.chainboot.common.api.InternalApiGuard;
import io.chainboot.common.api.Problem;
import io.chainboot.common.api.Problems;
import io.chainboot.inventory.auth.Access;
import io.chainboot.inventory.auth.Caller;
import io.chainboot.inventory.auth.Role;
import io.chainboot.inventory.auth.Tokens;
import io.chainboot.inventory.config.InventoryConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * The entry point's authentication ({@link Access} decides which role a request needs): the
 * bearer token is resolved by {@link Tokens} to a {@link Caller}, stored on the request for
 * audit. Reads also accept {@code ?token=}, because a browser's EventSource cannot send headers.
 * Runs before routing, so a write to a path that does not exist is refused like any other.
 */
public class TokenFilter {
    private final InventoryConfig config;
    private final Tokens tokens;

    public TokenFilter(InventoryConfig config, Tokens tokens) {
        this.config = config;
        this.tokens = tokens;
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> check(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        String method = ctx.getMethod();
        Optional<String> presented = InternalApiGuard.bearer(ctx.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (presented.isEmpty() && InternalApiGuard.isRead(method)) {
            presented = Optional.ofNullable(ctx.getUriInfo().getQueryParameters().getFirst("token")).filter(t -> !t.isBlank());
        }
        Optional<Role> needed = Access.needed(method, path, config.readRequiresToken());
        if (needed.isEmpty()) {
            return Optional.empty();
        }
        Optional<Caller> caller;
        try {
            caller = presented.flatMap(tokens::resolve);
        } catch (IllegalStateException e) {
            return Optional.of(Problems.response(new Problem("urn:chainboot:problem:unavailable", "Service unavailable", 503,
                    e.getMessage(), null)));
        }
        caller.ifPresent(c -> ctx.setProperty(Caller.PROPERTY, c));
        return Access.refuse(needed.get(), caller).map(Problems::response);
    }
}
