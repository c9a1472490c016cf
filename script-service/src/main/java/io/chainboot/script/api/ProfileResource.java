package io.chainboot.script.api;

import io.chainboot.events.Decoded;
import io.chainboot.events.MacAddress;
import io.chainboot.script.boot.BootFacts;
import io.chainboot.script.boot.BootScripts;
import io.chainboot.script.boot.ProfileChoice;
import io.chainboot.script.profile.Profile;
import io.chainboot.script.profile.ProfileCatalog;
import io.chainboot.script.profile.ProfileParser;
import io.chainboot.script.profile.ProfileSet;
import io.chainboot.script.render.RenderOutcome;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Profiles: list, validate, reload, and preview a machine's script without booting it. */
@Path("/api")
@Tag(name = "profiles")
public class ProfileResource {
    private final ProfileCatalog catalog;
    private final BootScripts scripts;

    public ProfileResource(ProfileCatalog catalog, BootScripts scripts) {
        this.catalog = catalog;
        this.scripts = scripts;
    }

    public record Listing(List<ProfileView> profiles, List<ProfileSet.Problem> problems) {
    }

    public record Validation(boolean valid, String reason, ProfileView profile) {
    }

    @GET
    @Path("/profiles")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "All loaded profiles, and the files that were refused with the reason")
    @APIResponse(responseCode = "200", description = "profiles and refused files")
    public Listing list() {
        ProfileSet set = catalog.current();
        return new Listing(set.byName().values().stream().map(ProfileView::of).sorted(java.util.Comparator.comparing(ProfileView::name)).toList(), set.problems());
    }

    @GET
    @Path("/profiles/{name}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One profile")
    @APIResponse(responseCode = "200", description = "the profile")
    @APIResponse(responseCode = "404", description = "no such profile")
    public ProfileView get(@PathParam("name") String name) {
        return catalog.current().get(name).map(ProfileView::of)
                .orElseThrow(() -> new NotFoundException("no profile " + name));
    }

    @POST
    @Path("/profiles/validate")
    @Consumes({MediaType.TEXT_PLAIN, "application/yaml", "application/x-yaml", "text/yaml"})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Check a profile YAML document without installing it (422 problem with the reason when invalid); needs the cluster secret like every POST")
    @APIResponse(responseCode = "200", description = "valid, with the parsed profile")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    @APIResponse(responseCode = "415", description = "not YAML or text")
    @APIResponse(responseCode = "422", description = "invalid, with the reason")
    public Response validate(String yaml) {
        Decoded<Profile> d = ProfileParser.parse(yaml == null ? "" : yaml, "api");
        if (d instanceof Decoded.Valid<Profile> v) {
            return Response.ok(new Validation(true, null, ProfileView.of(v.value()))).build();
        }
        return io.chainboot.common.api.Problems.response(io.chainboot.common.api.Problem.Kind.INVALID_DOCUMENT,
                ((Decoded.Invalid<Profile>) d).reason());
    }

    @POST
    @Path("/profiles/reload")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Read the profiles directory again")
    @APIResponse(responseCode = "200", description = "profiles and refused files after the reload")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    public Listing reload() {
        catalog.reload();
        return list();
    }

    @GET
    @Path("/preview/{mac}")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The script this machine would get now, rendered without booting it (publishes no event)")
    @APIResponse(responseCode = "200", description = "the script (a render failure is an error script with X-Chainboot-Failure)")
    @APIResponse(responseCode = "400", description = "bad MAC, UUID, arch...")
    public Response preview(@PathParam("mac") String mac, @QueryParam("uuid") String uuid, @QueryParam("arch") String arch,
                            @QueryParam("platform") String platform, @QueryParam("manufacturer") String manufacturer,
                            @QueryParam("serial") String serial, @QueryParam("hostname") String hostname,
                            @QueryParam("profile") String profile, @HeaderParam("Host") String host) {
        Map<String, String> q = new HashMap<>();
        q.put("mac", mac);
        q.put("uuid", uuid);
        q.put("arch", arch);
        q.put("platform", platform);
        q.put("manufacturer", manufacturer);
        q.put("serial", serial);
        q.put("hostname", hostname);
        q.put("profile", profile);
        Decoded<BootFacts> facts = BootFacts.parse(q::get);
        if (facts instanceof Decoded.Invalid<BootFacts> bad) {
            return io.chainboot.common.api.Problems.response(io.chainboot.common.api.Problem.Kind.INVALID_FIELD, bad.reason());
        }
        ProfileChoice choice = scripts.choose(facts.orElseThrow());
        RenderOutcome out = scripts.preview(facts.orElseThrow(), "http", host);
        Response.ResponseBuilder r = Response.ok(out.script(), "text/plain; charset=utf-8")
                .header("X-Chainboot-Profile", choice.name())
                .header("X-Chainboot-Chosen-By", choice.reason())
                .header("X-Chainboot-Machine", choice.spec() == null ? "unknown" : "known");
        if (out instanceof RenderOutcome.Failure f) {
            r.header("X-Chainboot-Failure", f.reason().replaceAll("[\\r\\n]", " "));
        }
        return r.build();
    }
}
