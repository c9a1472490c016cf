package io.chainboot.iscsi;

import io.chainboot.iscsi.session.Connection;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Comparator;
import java.util.List;

/** Read-only view of the sessions in full feature phase (for operators and the inventory dashboard). */
@Path("/iscsi/sessions")
public class SessionsResource {
    private final IscsiService service;

    public SessionsResource(IscsiService service) {
        this.service = service;
    }

    /** One session as JSON. */
    public record SessionView(int tsih, String initiator, String target, boolean discovery, String remote,
                              long bytesRead, long bytesWritten, long durationMs) {
        static SessionView of(Connection c) {
            return new SessionView(c.tsih(), c.initiatorName(), c.targetName(), c.discovery(),
                    c.remote().getAddress().getHostAddress() + ":" + c.remote().getPort(), c.bytesRead(),
                    c.bytesWritten(), c.durationMs());
        }
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<SessionView> sessions() {
        return service.sessions().all().stream().map(SessionView::of)
                .sorted(Comparator.comparingInt(SessionView::tsih)).toList();
    }
}
