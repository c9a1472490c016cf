package io.chainboot.common.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/** {@link Problem}s as JAX-RS responses and exceptions. */
public final class Problems {
    private Problems() {
    }

    public static Response response(Problem p) {
        Response.ResponseBuilder r = Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p);
        if (p.status() == 401) {
            r.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"chainboot\"");
        }
        return r.build();
    }

    public static Response response(Problem.Kind kind, String detail) {
        return response(Problem.of(kind, detail));
    }

    /** Thrown from a resource method: the response is the problem. */
    public static WebApplicationException exception(Problem p) {
        return new WebApplicationException(p.detail(), response(p));
    }

    public static WebApplicationException badField(String field, String detail) {
        return exception(Problem.field(field, detail));
    }
}
