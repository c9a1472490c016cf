package io.chainboot.inventory.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chainboot.common.api.Problem;
import io.chainboot.common.api.Problems;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.inventory.auth.Caller;
import io.chainboot.inventory.machines.MachineChecks;
import io.chainboot.inventory.machines.MachineKnowledge;
import io.chainboot.inventory.machines.MachineRequest;
import io.chainboot.inventory.machines.MachineService;
import io.chainboot.inventory.query.MachineView;
import io.chainboot.inventory.query.Queries;
import io.chainboot.inventory.query.Timeline;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Machines: list with current stage, one machine, its boots; create (POST), replace (PUT: every
 * field not given is cleared), change some fields (PATCH, RFC 7396 merge patch), delete — writes
 * need an admin token. A spec is checked when it is given ({@link MachineChecks}): unknown profile
 * or golden image, reserved IP outside the subnet or taken, group MAC, unknown fields, sizes.
 */
@Path("/api/machines")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "machines")
@SecurityScheme(securitySchemeName = "token", type = SecuritySchemeType.HTTP, scheme = "bearer")
public class MachineResource {
    private final Queries queries;
    private final MachineService machines;
    private final MachineKnowledge knowledge;
    private final ObjectMapper json;

    public MachineResource(Queries queries, MachineService machines, MachineKnowledge knowledge, ObjectMapper json) {
        this.queries = queries;
        this.machines = machines;
        this.knowledge = knowledge;
        this.json = json;
    }

    @GET
    @Operation(summary = "Every machine with the stage of its latest boot attempt")
    @APIResponse(responseCode = "200", description = "the machines")
    public List<MachineView> list() {
        return queries.machines();
    }

    @GET
    @Path("/{mac}")
    @Operation(summary = "One machine, with its spec and current boot attempt")
    @APIResponse(responseCode = "200", description = "the machine")
    @APIResponse(responseCode = "400", description = "not a MAC address")
    @APIResponse(responseCode = "404", description = "no such machine")
    public Response get(@PathParam("mac") String mac) {
        MacAddress m = parse(mac);
        return queries.machine(m.toString()).map(v -> Response.ok(v).build())
                .orElseGet(() -> notFound(m));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @SecurityRequirement(name = "token")
    @Operation(summary = "Create a machine")
    @APIResponse(responseCode = "201", description = "created")
    @APIResponse(responseCode = "400", description = "a field is invalid or unknown (problem names it)")
    @APIResponse(responseCode = "401", description = "no valid token")
    @APIResponse(responseCode = "403", description = "not an admin token")
    @APIResponse(responseCode = "409", description = "the MAC exists: use PUT or PATCH")
    @APIResponse(responseCode = "413", description = "the spec is over 16 KiB")
    @APIResponse(responseCode = "503", description = "script-service or iscsi-service could not be asked about the profile or image")
    public Response create(MachineRequest body, @Context ContainerRequestContext ctx) {
        if (body == null || body.mac() == null) {
            throw Problems.badField("mac", "is required");
        }
        MacAddress mac = parse(body.mac());
        if (queries.machine(mac.toString()).isPresent()) {
            return Problems.response(Problem.Kind.CONFLICT, mac + " exists: use PUT to replace it or PATCH to change fields");
        }
        machines.put(checked(spec(body, mac)), "api");
        audit(ctx, "created", mac);
        return Response.created(URI.create("/api/machines/" + mac)).entity(queries.machine(mac.toString()).orElseThrow())
                .build();
    }

    @PUT
    @Path("/{mac}")
    @Consumes(MediaType.APPLICATION_JSON)
    @SecurityRequirement(name = "token")
    @Operation(summary = "Create or replace a machine's spec: fields not in the body are cleared (use PATCH to change some)")
    @APIResponse(responseCode = "200", description = "replaced")
    @APIResponse(responseCode = "201", description = "created")
    @APIResponse(responseCode = "400", description = "a field is invalid or unknown, or the body's mac is another machine's")
    @APIResponse(responseCode = "401", description = "no valid token")
    @APIResponse(responseCode = "403", description = "not an admin token")
    @APIResponse(responseCode = "413", description = "the spec is over 16 KiB")
    @APIResponse(responseCode = "503", description = "script-service or iscsi-service could not be asked")
    public Response put(@PathParam("mac") String mac, MachineRequest body, @Context ContainerRequestContext ctx) {
        MacAddress m = parse(mac);
        if (body == null) {
            throw Problems.exception(Problem.of(Problem.Kind.MALFORMED_BODY, "a body is required"));
        }
        if (body.mac() != null && !parse(body.mac()).equals(m)) {
            throw Problems.badField("mac", "the body's mac " + body.mac() + " is not the path's " + m);
        }
        MachineService.Change change = machines.put(checked(spec(body, m)), "api");
        audit(ctx, change == MachineService.Change.CREATED ? "created" : "replaced", m);
        MachineView view = queries.machine(m.toString()).orElseThrow();
        return change == MachineService.Change.CREATED
                ? Response.created(URI.create("/api/machines/" + m)).entity(view).build()
                : Response.ok(view).build();
    }

    @PATCH
    @Path("/{mac}")
    @Consumes({"application/merge-patch+json", MediaType.APPLICATION_JSON})
    @SecurityRequirement(name = "token")
    @Operation(summary = "Change some fields of a machine (RFC 7396 JSON merge patch: a field set to null is cleared)")
    @APIResponse(responseCode = "200", description = "changed")
    @APIResponse(responseCode = "400", description = "a field is invalid or unknown")
    @APIResponse(responseCode = "401", description = "no valid token")
    @APIResponse(responseCode = "403", description = "not an admin token")
    @APIResponse(responseCode = "404", description = "no such machine")
    @APIResponse(responseCode = "413", description = "the spec is over 16 KiB")
    @APIResponse(responseCode = "503", description = "script-service or iscsi-service could not be asked")
    public Response patch(@PathParam("mac") String mac, JsonNode patch, @Context ContainerRequestContext ctx) {
        MacAddress m = parse(mac);
        if (patch == null || !patch.isObject()) {
            throw Problems.exception(Problem.of(Problem.Kind.MALFORMED_BODY, "the body must be a JSON object (a merge patch)"));
        }
        if (patch.has("mac") && !(patch.get("mac").isTextual() && parse(patch.get("mac").asText()).equals(m))) {
            throw Problems.badField("mac", "a machine's MAC cannot be changed (delete it and create another)");
        }
        MachineSpec current = machines.spec(m).orElse(null);
        if (current == null) {
            return notFound(m);
        }
        ObjectNode merged = json.valueToTree(MachineRequest.of(current));
        merge(merged, patch);
        MachineRequest body;
        try {
            body = json.treeToValue(merged, MachineRequest.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new jakarta.ws.rs.WebApplicationException(e, io.chainboot.common.api.ProblemMappers.forJson(e));
        }
        machines.put(checked(spec(body, m)), "api");
        audit(ctx, "changed", m);
        return Response.ok(queries.machine(m.toString()).orElseThrow()).build();
    }

    /** RFC 7396 §2: objects merge member by member, null removes, anything else replaces. */
    static void merge(ObjectNode target, JsonNode patch) {
        patch.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                target.remove(e.getKey());
            } else if (e.getValue().isObject() && target.get(e.getKey()) instanceof ObjectNode t) {
                merge(t, e.getValue()); // disk, chap, labels, params: member by member
            } else {
                target.set(e.getKey(), e.getValue());
            }
        });
    }

    @DELETE
    @Path("/{mac}")
    @SecurityRequirement(name = "token")
    @Operation(summary = "Delete a machine; a tombstone goes to chainboot.machines (its boot history and its disk stay)")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "400", description = "not a MAC address")
    @APIResponse(responseCode = "401", description = "no valid token")
    @APIResponse(responseCode = "403", description = "not an admin token")
    @APIResponse(responseCode = "404", description = "no such machine")
    public Response delete(@PathParam("mac") String mac, @Context ContainerRequestContext ctx) {
        MacAddress m = parse(mac);
        if (machines.delete(m)) {
            audit(ctx, "deleted", m);
            return Response.noContent().build();
        }
        return notFound(m);
    }

    @GET
    @Path("/{mac}/boots")
    @Operation(summary = "The machine's boot attempts, newest first, with stage durations")
    @APIResponse(responseCode = "200", description = "the attempts (empty for an unknown machine)")
    @APIResponse(responseCode = "400", description = "not a MAC address")
    public List<Timeline> boots(@PathParam("mac") String mac, @QueryParam("limit") @DefaultValue("20") int limit) {
        return queries.boots(parse(mac).toString(), Math.max(1, Math.min(limit, 500)));
    }

    /** The spec if it passes every check; else the problem (400, or 413 for size, 503 when a service could not be asked). */
    private MachineSpec checked(MachineSpec spec) {
        MachineChecks.Known known = knowledge.now();
        if (spec.profile() != null && known.profiles().isEmpty()) {
            throw Problems.exception(new Problem("urn:chainboot:problem:unavailable", "Service unavailable", 503,
                    "profile: cannot check '" + spec.profile() + "': script-service did not answer; try again", "profile"));
        }
        if (spec.disk() != null && spec.disk().kind() == io.chainboot.events.DiskKind.OVERLAY && known.images().isEmpty()) {
            throw Problems.exception(new Problem("urn:chainboot:problem:unavailable", "Service unavailable", 503,
                    "disk.image: cannot check '" + spec.disk().image() + "': iscsi-service did not answer; try again", "disk.image"));
        }
        List<MachineChecks.FieldProblem> problems = MachineChecks.check(spec, known);
        if (problems.isEmpty()) {
            return spec;
        }
        String detail = problems.stream().map(Object::toString).collect(Collectors.joining("; "));
        if (problems.get(0).field().equals("spec")) {
            throw Problems.exception(new Problem(Problem.Kind.TOO_LARGE.type(), Problem.Kind.TOO_LARGE.title(), 413, detail, "spec"));
        }
        throw Problems.exception(new Problem(Problem.Kind.INVALID_FIELD.type(), Problem.Kind.INVALID_FIELD.title(), 400, detail,
                problems.get(0).field()));
    }

    private static void audit(ContainerRequestContext ctx, String what, MacAddress mac) {
        Object c = ctx.getProperty(Caller.PROPERTY);
        org.jboss.logging.Logger.getLogger(MachineResource.class).infof("mac=%s %s by %s", mac, what,
                c instanceof Caller caller ? caller.who() : "?");
    }

    private static MachineSpec spec(MachineRequest body, MacAddress mac) {
        try {
            return body.toSpec(mac, Instant.now());
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            String field = m.contains("hostname") ? "hostname" : m.contains("IP") || m.contains("IPv4") ? "reservedIp"
                    : m.contains("CHAP") ? "chap" : null;
            throw Problems.exception(new Problem(Problem.Kind.INVALID_FIELD.type(), Problem.Kind.INVALID_FIELD.title(), 400,
                    field == null ? m : field + ": " + m, field));
        } catch (NullPointerException e) {
            throw Problems.badField(String.valueOf(e.getMessage()), "is required");
        }
    }

    static MacAddress parse(String mac) {
        try {
            return MacAddress.parse(mac);
        } catch (IllegalArgumentException e) {
            throw Problems.badField("mac", e.getMessage());
        }
    }

    private static Response notFound(MacAddress mac) {
        return Problems.response(Problem.Kind.NOT_FOUND, "no machine " + mac);
    }
}
