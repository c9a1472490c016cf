package io.chainboot.inventory.audit;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * One audited write: who (token id, name, role), what (method, path, entity), when, and how it
 * ended — {@code done} (2xx/3xx), {@code refused} (4xx: a viewer's 403, a bad field, not found,
 * a conflict) or {@code failed} (5xx, a service behind that did not answer).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEntry(long id, Instant at, String tokenId, String tokenName, String role, String method, String path,
                         String entity, String entityKind, String entityId, int status, String outcome) {

    public static String outcome(int status) {
        return status >= 500 ? "failed" : status >= 400 ? "refused" : "done";
    }
}
