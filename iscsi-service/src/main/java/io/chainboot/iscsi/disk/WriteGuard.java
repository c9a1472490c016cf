package io.chainboot.iscsi.disk;

import io.chainboot.common.CommonConfig;
import io.chainboot.common.api.InternalApiGuard;
import io.chainboot.common.api.Problems;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/** Every write to iscsi-service's {@code /api} needs the cluster secret ({@link InternalApiGuard}). */
public class WriteGuard {
    private final CommonConfig common;

    public WriteGuard(CommonConfig common) {
        this.common = common;
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> check(ContainerRequestContext ctx) {
        return InternalApiGuard.check(ctx.getMethod(), ctx.getUriInfo().getPath(),
                ctx.getHeaderString(HttpHeaders.AUTHORIZATION), common.clusterSecret()).map(Problems::response);
    }
}
