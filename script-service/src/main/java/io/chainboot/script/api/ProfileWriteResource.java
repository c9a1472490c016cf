package io.chainboot.script.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.chainboot.common.MachineDirectory;
import io.chainboot.common.api.Problem;
import io.chainboot.common.api.Problems;
import io.chainboot.script.config.ScriptConfig;
import io.chainboot.script.profile.Profile;
import io.chainboot.script.profile.ProfileCatalog;
import io.chainboot.script.profile.ProfileEdits;
import io.chainboot.script.profile.ProfileSet;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * Profiles written through the API (behind the entry point: {@code PUT/PATCH/DELETE
 * :8080/api/profiles/NAME}, admin role; here the cluster secret, {@link WriteGuard}). Decisions are
 * {@link ProfileEdits}'; this class reads the body, writes the file (a temporary file renamed into
 * place, so a replica scanning the shared directory never reads half a file) and reloads.
 */
@Path("/api")
@Tag(name = "profiles")
public class ProfileWriteResource {
    private static final Logger LOG = Logger.getLogger(ProfileWriteResource.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final ProfileCatalog catalog;
    private final MachineDirectory machines;
    private final ScriptConfig config;

    public ProfileWriteResource(ProfileCatalog catalog, MachineDirectory machines, ScriptConfig config) {
        this.catalog = catalog;
        this.machines = machines;
        this.config = config;
    }

    /** What a DELETE did: the file removed, and the built-in profile that applies again, if any. */
    public record Deleted(String name, String file, ProfileView builtinAgain) {
    }

    @GET
    @Path("/profiles/{name}/document")
    @Produces("application/yaml")
    @Operation(summary = "The YAML document a profile was read from (its file, or the built-in one): what the console edits")
    @APIResponse(responseCode = "200", description = "the document")
    @APIResponse(responseCode = "404", description = "no such profile")
    public Response document(@PathParam("name") String name) {
        Optional<Profile> p = catalog.current().get(name);
        if (p.isEmpty()) {
            return Problems.response(Problem.Kind.NOT_FOUND, "no profile " + name);
        }
        try {
            return Response.ok(ProfileCatalog.document(p.get()), "application/yaml; charset=utf-8").build();
        } catch (IOException e) {
            return Problems.response(Problem.Kind.NOT_FOUND, "profile " + name + ": its file cannot be read now (" + e.getMessage() + ")");
        }
    }

    @PUT
    @Path("/profiles/{name}")
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create or replace profile NAME with a whole document (YAML or JSON, as a profile file); "
            + "checked as profile files are, nothing written when refused")
    @APIResponse(responseCode = "200", description = "replaced (a built-in: replaced by a file of the profiles directory)")
    @APIResponse(responseCode = "201", description = "created")
    @APIResponse(responseCode = "400", description = "a field is invalid (problem names it), or the body is not a YAML/JSON mapping")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    @APIResponse(responseCode = "409", description = "the file NAME.yaml holds another profile")
    @APIResponse(responseCode = "413", description = "document over 64 KiB")
    @APIResponse(responseCode = "415", description = "not YAML, JSON or text")
    public Response put(@PathParam("name") String name, @HeaderParam("Content-Type") String type, String body,
                        @HeaderParam("X-Chainboot-Caller") String caller) {
        if (body != null && body.length() > ProfileEdits.MAX_DOCUMENT_BYTES) {
            return Problems.response(Problem.Kind.TOO_LARGE, "a profile document is at most " + ProfileEdits.MAX_DOCUMENT_BYTES + " bytes");
        }
        boolean json = type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith(MediaType.APPLICATION_JSON);
        Optional<JsonNode> doc = read(body, json ? JSON : YAML);
        if (doc.isEmpty()) {
            return Problems.response(Problem.Kind.MALFORMED_BODY, "the body is not " + (json ? "JSON" : "YAML") + " (a profile document)");
        }
        synchronized (catalog) {
            return apply(ProfileEdits.put(catalog.current(), catalog.dir(), name, doc.get(), json ? null : body), "PUT", name, caller);
        }
    }

    @PATCH
    @Path("/profiles/{name}")
    @Consumes({"application/merge-patch+json", MediaType.APPLICATION_JSON})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change some fields of profile NAME (RFC 7396 merge patch: null removes a field, params/selector merge, "
            + "items are replaced); written as a YAML file (comments of the old file are not kept)")
    @APIResponse(responseCode = "200", description = "changed")
    @APIResponse(responseCode = "400", description = "a field is invalid (problem names it), or the body is not a JSON object")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    @APIResponse(responseCode = "404", description = "no such profile")
    @APIResponse(responseCode = "409", description = "the file NAME.yaml holds another profile")
    @APIResponse(responseCode = "415", description = "not JSON")
    public Response patch(@PathParam("name") String name, String body, @HeaderParam("X-Chainboot-Caller") String caller) {
        if (body != null && body.length() > ProfileEdits.MAX_DOCUMENT_BYTES) {
            return Problems.response(Problem.Kind.TOO_LARGE, "a profile patch is at most " + ProfileEdits.MAX_DOCUMENT_BYTES + " bytes");
        }
        Optional<JsonNode> patch = read(body, JSON);
        if (patch.isEmpty()) {
            return Problems.response(Problem.Kind.MALFORMED_BODY, "the body is not a JSON merge patch");
        }
        synchronized (catalog) {
            ProfileSet set = catalog.current();
            JsonNode current = null;
            Optional<Profile> p = set.get(name);
            if (p.isPresent()) {
                try {
                    current = YAML.readTree(ProfileCatalog.document(p.get()));
                } catch (IOException e) {
                    return Problems.response(Problem.Kind.CONFLICT, "profile " + name + ": its file cannot be read now (" + e.getMessage() + ")");
                }
            }
            return apply(ProfileEdits.patch(set, catalog.dir(), name, current, patch.get()), "PATCH", name, caller);
        }
    }

    @DELETE
    @Path("/profiles/{name}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Delete profile NAME's file; a built-in profile of that name applies again. Refused while machines, "
            + "a menu or the default profile need it and no built-in takes its place")
    @APIResponse(responseCode = "200", description = "deleted: the file, and the built-in profile that applies again (or null)")
    @APIResponse(responseCode = "400", description = "not a profile name")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    @APIResponse(responseCode = "404", description = "no such profile")
    @APIResponse(responseCode = "409", description = "built in, or used by machines, a menu or as the default profile")
    public Response delete(@PathParam("name") String name, @HeaderParam("X-Chainboot-Caller") String caller) {
        synchronized (catalog) {
            return apply(ProfileEdits.delete(catalog.current(), ProfileCatalog.builtins(), name, machines.all(), config.defaultProfile()),
                    "DELETE", name, caller);
        }
    }

    private static Optional<JsonNode> read(String body, ObjectMapper mapper) {
        if (body == null || body.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(mapper.readTree(body));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Response apply(ProfileEdits.Plan plan, String method, String name, String caller) {
        String who = caller == null ? "cluster secret" : caller;
        if (plan instanceof ProfileEdits.Refuse r) {
            LOG.infof("%s profile %s by %s refused: %s", method, name, who, r.reason());
            return Problems.response(r.problem());
        }
        try {
            if (plan instanceof ProfileEdits.Write w) {
                Files.createDirectories(w.file().toAbsolutePath().getParent());
                java.nio.file.Path tmp = w.file().resolveSibling("." + w.file().getFileName() + "." + UUID.randomUUID() + ".tmp");
                try {
                    Files.writeString(tmp, w.text(), StandardCharsets.UTF_8);
                    try {
                        Files.move(tmp, w.file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(tmp, w.file(), StandardCopyOption.REPLACE_EXISTING);
                    }
                } finally {
                    Files.deleteIfExists(tmp);
                }
                ProfileSet now = catalog.reload();
                LOG.infof("%s profile %s by %s: %s %s", method, name, who, w.created() ? "created" : "replaced", w.file());
                ProfileView view = now.get(name).map(ProfileView::of).orElse(ProfileView.of(w.profile()));
                return (w.created() ? Response.created(URI.create("/api/profiles/" + name)) : Response.ok()).entity(view).build();
            }
            ProfileEdits.Remove rm = (ProfileEdits.Remove) plan;
            Files.deleteIfExists(rm.file());
            catalog.reload();
            LOG.infof("DELETE profile %s by %s: removed %s%s", name, who, rm.file(), rm.builtinAgain().isPresent() ? " (the built-in applies again)" : "");
            return Response.ok(new Deleted(name, rm.file().getFileName().toString(), rm.builtinAgain().map(ProfileView::of).orElse(null))).build();
        } catch (IOException e) {
            LOG.errorf("%s profile %s by %s: %s", method, name, who, e.toString());
            return Problems.response(new Problem("urn:chainboot:problem:storage", "The profiles directory cannot be written", 500,
                    "profiles directory " + catalog.dir() + ": " + e.getMessage(), null));
        }
    }
}
