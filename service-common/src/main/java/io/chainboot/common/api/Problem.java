package io.chainboot.common.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An error response body as RFC 9457 ("Problem Details for HTTP APIs") defines it, served as
 * {@code application/problem+json}: {@code type} names the kind of problem (a URN of ours, the
 * same in every service), {@code title} is its fixed short summary, {@code detail} this
 * occurrence's reason, {@code field} (an extension member, RFC 9457 §3.2) the request field at fault.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field) {
    public static final String MEDIA_TYPE = "application/problem+json";

    /** The kinds of problem every Chainboot API answers with; each has its status and title. */
    public enum Kind {
        UNAUTHORIZED(401, "A valid bearer token is required"),
        FORBIDDEN(403, "This token may not do that"),
        INVALID_FIELD(400, "A field of the request is invalid"),
        MALFORMED_BODY(400, "The request body cannot be read"),
        INVALID_DOCUMENT(422, "The document is well-formed but invalid"),
        NOT_FOUND(404, "No such resource"),
        CONFLICT(409, "The request conflicts with the current state"),
        TOO_LARGE(413, "The request is larger than the limit"),
        UNSUPPORTED_MEDIA(415, "This format is not supported"),
        UPSTREAM_UNAVAILABLE(502, "A service behind the entry point did not answer");

        private final int status;
        private final String title;

        Kind(int status, String title) {
            this.status = status;
            this.title = title;
        }

        public int status() {
            return status;
        }

        public String title() {
            return title;
        }

        /** {@code urn:chainboot:problem:invalid-field} and so on. */
        public String type() {
            return "urn:chainboot:problem:" + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public static Problem of(Kind kind, String detail) {
        return new Problem(kind.type(), kind.title(), kind.status(), detail, null);
    }

    public static Problem field(String field, String detail) {
        return new Problem(Kind.INVALID_FIELD.type(), Kind.INVALID_FIELD.title(), Kind.INVALID_FIELD.status(),
                field + ": " + detail, field);
    }
}
