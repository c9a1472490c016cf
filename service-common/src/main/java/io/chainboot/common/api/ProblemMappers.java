package io.chainboot.common.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.stream.Collectors;

/**
 * Every service's JAX-RS errors as RFC 9457 problems: a body that is not JSON, has an unknown
 * field ({@code quarkus.jackson.fail-on-unknown-properties=true}) or a value of the wrong type is
 * a 400 naming the field; a JAX-RS error raised with no body of its own (unknown path 404, wrong
 * method 405, wrong media type 415) keeps its status and gets a problem body.
 */
public class ProblemMappers {

    /** More specific than Quarkus' own mapper of this type (which answers plain JSON), so it wins. */
    @ServerExceptionMapper
    public Response mismatched(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response parse(com.fasterxml.jackson.core.JsonParseException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return forJson(e);
    }

    /** The problem for a body Jackson could not read: unknown field, wrong type, not JSON. */
    public static Response forJson(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return Problems.response(Problem.field(u.getPropertyName(), "unknown field (known: "
                    + u.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")"));
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            String field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            return Problems.response(Problem.field(field, "has a value of the wrong type or format: " + e.getOriginalMessage()));
        }
        return Problems.response(Problem.Kind.MALFORMED_BODY, "the body is not valid JSON: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof JsonProcessingException j) {
                return json(j);
            }
        }
        Response r = e.getResponse();
        if (r != null && r.hasEntity()) {
            return r;
        }
        int status = r == null ? 500 : r.getStatus();
        if (status < 400 || status >= 500) {
            return r;
        }
        String type = switch (status) {
            case 401 -> Problem.Kind.UNAUTHORIZED.type();
            case 403 -> Problem.Kind.FORBIDDEN.type();
            case 404 -> Problem.Kind.NOT_FOUND.type();
            case 409 -> Problem.Kind.CONFLICT.type();
            case 413 -> Problem.Kind.TOO_LARGE.type();
            case 415 -> Problem.Kind.UNSUPPORTED_MEDIA.type();
            default -> "about:blank";
        };
        String title = Response.Status.fromStatusCode(status) == null ? "Error"
                : Response.Status.fromStatusCode(status).getReasonPhrase();
        Response.ResponseBuilder b = Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem(type, title, status, e.getMessage(), null));
        r.getHeaders().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("Content-Type") && !k.equalsIgnoreCase("Content-Length")) {
                v.forEach(x -> b.header(k, x));
            }
        });
        return b.build();
    }

}
