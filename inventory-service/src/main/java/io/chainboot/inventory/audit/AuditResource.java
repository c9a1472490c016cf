package io.chainboot.inventory.audit;

import io.chainboot.common.api.Problems;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/audit}: the audit trail, newest first, any token (viewer or admin). Filters:
 * {@code entity=machine} (a kind) or {@code entity=machine:52:54:00:12:34:56} (one entity),
 * {@code by=} a token's name or id, {@code since=} an ISO-8601 instant; paged by {@code limit}
 * (1-500, default 50) and {@code before=} an entry id — the answer's {@code next} is the link to
 * the following page, absent on the last one.
 */
@Path("/api/audit")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "audit")
@SecurityRequirement(name = "token")
public class AuditResource {
    static final Set<String> KINDS = Set.of("machine", "token", "image", "disk", "profile", "api");

    private final AuditLog log;

    public AuditResource(AuditLog log) {
        this.log = log;
    }

    /** One page of the trail. */
    public record Page(List<AuditEntry> entries, String next) {
    }

    @GET
    @Operation(summary = "Who wrote what through the API, and when: newest first, filtered by entity, caller and time, paged")
    @APIResponse(responseCode = "200", description = "one page of entries")
    @APIResponse(responseCode = "400", description = "entity, since, before or limit invalid (the problem names it)")
    @APIResponse(responseCode = "401", description = "no valid token (the audit trail is never open to anonymous reads)")
    public Page list(@QueryParam("entity") String entity, @QueryParam("by") String by, @QueryParam("since") String since,
                     @QueryParam("before") String before, @QueryParam("limit") @DefaultValue("50") String limit) {
        Optional<String> kind = Optional.empty();
        Optional<String> id = Optional.empty();
        if (entity != null && !entity.isBlank()) {
            int colon = entity.indexOf(':');
            kind = Optional.of(colon < 0 ? entity : entity.substring(0, colon));
            if (!KINDS.contains(kind.get())) {
                throw Problems.badField("entity", "kind must be one of " + String.join(", ", new java.util.TreeSet<>(KINDS))
                        + " (optionally :id), not '" + entity + "'");
            }
            if (colon >= 0) {
                String i = entity.substring(colon + 1);
                id = Optional.of(kind.get().equals("machine") || kind.get().equals("disk")
                        ? canonicalMac(i) : i);
            }
        }
        Optional<Instant> from = Optional.empty();
        if (since != null && !since.isBlank()) {
            try {
                from = Optional.of(Instant.parse(since));
            } catch (DateTimeParseException e) {
                throw Problems.badField("since", "not an ISO-8601 instant (2026-12-02T21:00:00Z): " + since);
            }
        }
        Optional<Long> below = Optional.empty();
        if (before != null && !before.isBlank()) {
            below = Optional.of(number("before", before, 1, Long.MAX_VALUE));
        }
        int n = (int) number("limit", limit, 1, AuditLog.MAX_LIMIT);
        List<AuditEntry> entries = log.find(new AuditLog.Query(kind, id, Optional.ofNullable(by).filter(b -> !b.isBlank()),
                from, below, n));
        String next = null;
        if (entries.size() == n) {
            StringBuilder q = new StringBuilder("/api/audit?limit=").append(n).append("&before=").append(entries.get(n - 1).id());
            if (entity != null && !entity.isBlank()) {
                q.append("&entity=").append(URLEncoder.encode(entity, StandardCharsets.UTF_8));
            }
            if (by != null && !by.isBlank()) {
                q.append("&by=").append(URLEncoder.encode(by, StandardCharsets.UTF_8));
            }
            if (since != null && !since.isBlank()) {
                q.append("&since=").append(URLEncoder.encode(since, StandardCharsets.UTF_8));
            }
            next = q.toString();
        }
        return new Page(entries, next);
    }

    private static String canonicalMac(String s) {
        try {
            return io.chainboot.events.MacAddress.parse(s).toString();
        } catch (IllegalArgumentException e) {
            throw Problems.badField("entity", "not a MAC address: " + s);
        }
    }

    private static long number(String field, String s, long min, long max) {
        try {
            long v = Long.parseLong(s.trim());
            if (v < min || v > max) {
                throw Problems.badField(field, "must be " + min + "-" + max + ", not " + s);
            }
            return v;
        } catch (NumberFormatException e) {
            throw Problems.badField(field, "not a number: " + s);
        }
    }
}
