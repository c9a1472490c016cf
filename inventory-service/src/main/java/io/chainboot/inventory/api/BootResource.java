package io.chainboot.inventory.api;

import io.chainboot.inventory.live.LiveUpdates;
import io.chainboot.inventory.query.MachineView;
import io.chainboot.inventory.query.Queries;
import io.chainboot.inventory.query.Stats;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import java.util.UUID;

/** Boot timelines, fleet statistics, single events and the live stream the dashboard listens to. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "boots")
public class BootResource {
    private final Queries queries;
    private final LiveUpdates live;

    public BootResource(Queries queries, LiveUpdates live) {
        this.queries = queries;
        this.live = live;
    }

    @GET
    @Path("/boots/{id}")
    @Operation(summary = "One boot attempt: stages, durations and every event in event-time order")
    @APIResponse(responseCode = "200", description = "the attempt with its events")
    @APIResponse(responseCode = "400", description = "not a UUID")
    @APIResponse(responseCode = "404", description = "no such attempt")
    public Response timeline(@PathParam("id") String id) {
        UUID uuid = uuid(id);
        return queries.timeline(uuid).map(t -> Response.ok(t).build())
                .orElseGet(() -> io.chainboot.common.api.Problems.response(io.chainboot.common.api.Problem.Kind.NOT_FOUND, "no boot attempt " + id));
    }

    @GET
    @Path("/events/{id}")
    @Operation(summary = "One stored event by its id")
    @APIResponse(responseCode = "200", description = "the event")
    @APIResponse(responseCode = "400", description = "not a UUID")
    @APIResponse(responseCode = "404", description = "no such event")
    public Response event(@PathParam("id") String id) {
        UUID uuid = uuid(id);
        return queries.event(uuid).map(t -> Response.ok(t).build())
                .orElseGet(() -> io.chainboot.common.api.Problems.response(io.chainboot.common.api.Problem.Kind.NOT_FOUND, "no event " + id));
    }

    @GET
    @Path("/stats")
    @Operation(summary = "Boot time percentiles per profile, failures and stalls by stage, machines per stage")
    @APIResponse(responseCode = "200", description = "the statistics")
    public Stats stats() {
        return queries.stats();
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Server-sent events: 'message' a machine row each time its machine or boot attempt changes, "
            + "'deleted' {mac}, 'changed' {kind,id,method,status} for other writes through the API, 'ping' keep-alives")
    @APIResponse(responseCode = "200", description = "the stream (text/event-stream), open until the client closes it")
    public Multi<OutboundSseEvent> stream(@Context Sse sse) {
        return live.stream().map(m -> {
            if (m instanceof LiveUpdates.Row r) {
                return sse.newEventBuilder().mediaType(MediaType.APPLICATION_JSON_TYPE).data(MachineView.class, r.machine()).build();
            } else if (m instanceof LiveUpdates.Deleted d) {
                return sse.newEventBuilder().name("deleted").mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(LiveUpdates.Deleted.class, d).build();
            } else if (m instanceof LiveUpdates.Changed c) {
                return sse.newEventBuilder().name("changed").mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(LiveUpdates.Changed.class, c).build();
            }
            return sse.newEventBuilder().name("ping").data("").build();
        });
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw io.chainboot.common.api.Problems.badField("id", "not a UUID: " + id);
        }
    }
}
