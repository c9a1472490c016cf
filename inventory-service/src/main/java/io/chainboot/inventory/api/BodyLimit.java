package io.chainboot.inventory.api;

import io.chainboot.common.api.Problem;
import io.chainboot.common.api.Problems;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The body cap of inventory's own endpoints. Quarkus' HTTP body limit is lifted
 * ({@code quarkus.http.limits.max-body-size}) so that image uploads stream through the entry point
 * to iscsi-service, which applies its own limit; every body inventory reads itself (a machine
 * spec, a token request: JSON) stays capped at {@link #MAX_BYTES}. A larger Content-Length is 413
 * before anything is read; a chunked body is cut at the limit while Jackson reads it (413 too).
 * Forwarded paths ({@link UpstreamResource}) are streamed as they are, never read here.
 */
@Provider
public class BodyLimit implements ReaderInterceptor {
    /** 1 MiB: far above the 16 KiB spec limit, far below what could hurt the heap. */
    public static final long MAX_BYTES = 1L << 20;

    static boolean forwarded(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.matches("api/(images|disks|sessions|profiles|preview)(/.*)?");
    }

    static Response tooLarge(String what) {
        return Problems.response(new Problem(Problem.Kind.TOO_LARGE.type(), Problem.Kind.TOO_LARGE.title(), 413,
                what + " is over the limit of " + MAX_BYTES + " bytes for this endpoint (image uploads: PUT /api/images/{name})",
                "body"));
    }

    @ServerRequestFilter(preMatching = true, priority = 6000)
    public Optional<Response> declared(ContainerRequestContext ctx) {
        String length = ctx.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null || forwarded(ctx.getUriInfo().getPath())) {
            return Optional.empty();
        }
        try {
            return Long.parseLong(length.trim()) > MAX_BYTES ? Optional.of(tooLarge("the body (" + length.trim() + " bytes)"))
                    : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        if (context.getType() != InputStream.class) {
            context.setInputStream(new Capped(context.getInputStream()));
        }
        return context.proceed();
    }

    /** Fails the read once more than {@link #MAX_BYTES} bytes came. */
    static final class Capped extends FilterInputStream {
        private long read;

        Capped(InputStream in) {
            super(in);
        }

        private int count(int n) {
            if (n > 0 && (read += n) > MAX_BYTES) {
                throw new jakarta.ws.rs.WebApplicationException(tooLarge("the body"));
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return count(super.read(b, off, len));
        }
    }
}
