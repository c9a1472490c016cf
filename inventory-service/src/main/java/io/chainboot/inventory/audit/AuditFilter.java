package io.chainboot.inventory.audit;

import io.chainboot.common.api.InternalApiGuard;
import io.chainboot.inventory.auth.Access;
import io.chainboot.inventory.auth.Caller;
import io.chainboot.inventory.live.LiveUpdates;
import io.chainboot.inventory.query.Queries;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import java.util.List;
import java.util.Optional;

/**
 * Records every write under {@code /api} once its answer is known — inventory's own (machines,
 * tokens) and the ones forwarded to iscsi-service and script-service alike, refused ones included
 * (a viewer's 403, a 400 for a bad field, a 404) — with the caller {@code TokenFilter} resolved.
 * A write without a valid token (401) is not recorded: it has no caller, and recording it would
 * let anyone fill the table; it is counted in {@code chainboot_inventory_api_unauthorized_total}.
 * A successful write is also pushed to the live stream: a machine's new row (or its deletion), and
 * for every entity a {@code changed} notice, for the console to reload what shows it.
 */
public class AuditFilter {
    private final AuditLog log;
    private final LiveUpdates live;
    private final Queries queries;

    public AuditFilter(AuditLog log, LiveUpdates live, Queries queries) {
        this.log = log;
        this.live = live;
        this.queries = queries;
    }

    @ServerResponseFilter
    public void audit(ContainerRequestContext req, ContainerResponseContext res) {
        String method = req.getMethod();
        if (InternalApiGuard.isRead(method)) {
            return;
        }
        String raw = req.getUriInfo().getRequestUri().getRawPath();
        if (!Access.isApi(raw)) {
            return;
        }
        int status = res.getStatus();
        if (!(req.getProperty(Caller.PROPERTY) instanceof Caller caller)) {
            if (status == 401) {
                log.unauthorized();
            }
            return;
        }
        String query = req.getUriInfo().getRequestUri().getRawQuery();
        String path = Access.normalize(raw) + (query == null || query.isEmpty() ? "" : "?" + query);
        Optional<String> location = Optional.ofNullable(res.getHeaderString(HttpHeaders.LOCATION));
        AuditSubject subject = AuditSubject.of(path, status == 201 ? location : Optional.empty());
        log.record(caller, method, path, subject, status);
        if (status < 400) {
            if (subject.kind().equals("machine") && subject.id() != null) {
                List<io.chainboot.inventory.query.MachineView> row = queries.machines(List.of(subject.id()));
                if (row.isEmpty()) {
                    live.deleted(subject.id());
                } else {
                    live.changed(row);
                }
            }
            live.entityChanged(subject.kind(), subject.id(), method, status);
        }
    }
}
