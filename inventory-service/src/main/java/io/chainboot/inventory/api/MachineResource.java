package io.chainboot.inventory.api;

import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.inventory.machines.MachineRequest;
import io.chainboot.inventory.machines.MachineService;
import io.chainboot.inventory.query.MachineView;
import io.chainboot.inventory.query.Queries;
import io.chainboot.inventory.query.Timeline;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.time.Instant;
import java.util.List;

/** Machines: list with current stage, one machine, create/replace/delete (bearer token), its boots. */
@Path("/api/machines")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "machines")
@SecurityScheme(securitySchemeName = "token", type = SecuritySchemeType.HTTP, scheme = "bearer")
public class MachineResource {
    private final Queries queries;
    private final MachineService machines;

    public MachineResource(Queries queries, MachineService machines) {
        this.queries = queries;
        this.machines = machines;
    }

    @GET
    @Operation(summary = "Every machine with the stage of its latest boot attempt")
    public List<MachineView> list() {
        return queries.machines();
    }

    @GET
    @Path("/{mac}")
    @Operation(summary = "One machine, with its spec and current boot attempt")
    public Response get(@PathParam("mac") String mac) {
        MacAddress m = parse(mac);
        return queries.machine(m.toString()).map(v -> Response.ok(v).build())
                .orElseGet(() -> notFound(m));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @SecurityRequirement(name = "token")
    @Operation(summary = "Create a machine (409 if the MAC exists)")
    public Response create(MachineRequest body) {
        if (body == null || body.mac() == null) {
            throw new BadRequest("mac is required");
        }
        MacAddress mac = parse(body.mac());
        if (queries.machine(mac.toString()).isPresent()) {
            return Response.status(Response.Status.CONFLICT).entity(new ApiError(mac + " exists: use PUT")).build();
        }
        machines.put(spec(body, mac), "api");
        return Response.created(URI.create("/api/machines/" + mac)).entity(queries.machine(mac.toString()).orElseThrow())
                .build();
    }

    @PUT
    @Path("/{mac}")
    @Consumes(MediaType.APPLICATION_JSON)
    @SecurityRequirement(name = "token")
    @Operation(summary = "Create or replace a machine's spec; published to chainboot.machines")
    public Response put(@PathParam("mac") String mac, MachineRequest body) {
        MacAddress m = parse(mac);
        if (body == null) {
            throw new BadRequest("a body is required");
        }
        MachineService.Change change = machines.put(spec(body, m), "api");
        MachineView view = queries.machine(m.toString()).orElseThrow();
        return change == MachineService.Change.CREATED
                ? Response.created(URI.create("/api/machines/" + m)).entity(view).build()
                : Response.ok(view).build();
    }

    @DELETE
    @Path("/{mac}")
    @SecurityRequirement(name = "token")
    @Operation(summary = "Delete a machine; a tombstone goes to chainboot.machines (its boot history stays)")
    public Response delete(@PathParam("mac") String mac) {
        MacAddress m = parse(mac);
        return machines.delete(m) ? Response.noContent().build() : notFound(m);
    }

    @GET
    @Path("/{mac}/boots")
    @Operation(summary = "The machine's boot attempts, newest first, with stage durations")
    public List<Timeline> boots(@PathParam("mac") String mac, @QueryParam("limit") @DefaultValue("20") int limit) {
        return queries.boots(parse(mac).toString(), Math.max(1, Math.min(limit, 500)));
    }

    private static MachineSpec spec(MachineRequest body, MacAddress mac) {
        try {
            return body.toSpec(mac, Instant.now());
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    static MacAddress parse(String mac) {
        try {
            return MacAddress.parse(mac);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    private static Response notFound(MacAddress mac) {
        return Response.status(Response.Status.NOT_FOUND).entity(new ApiError("no machine " + mac)).build();
    }
}
