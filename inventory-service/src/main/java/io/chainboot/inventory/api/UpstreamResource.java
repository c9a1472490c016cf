package io.chainboot.inventory.api;

import io.chainboot.common.CommonConfig;
import io.chainboot.common.api.InternalApiGuard;
import io.chainboot.common.api.Problem;
import io.chainboot.common.api.Problems;
import io.chainboot.inventory.auth.Caller;
import io.chainboot.inventory.config.InventoryConfig;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The one entry point for the internal services' APIs: {@code /api/images…}, {@code /api/disks…},
 * {@code /api/sessions} go to iscsi-service, {@code /api/profiles…} and {@code /api/preview…} to
 * script-service, with the same path and query. {@link TokenFilter} has already checked the
 * caller's token and role; the request goes on with the cluster secret as its bearer token (what
 * the internal services' write guard accepts) and {@code X-Chainboot-Caller} naming the caller.
 * Bodies stream both ways (an image upload is not held in memory); the answer is the service's own
 * status, type and body; a service that does not answer is 502.
 */
@Path("/api")
@Tag(name = "entry point")
public class UpstreamResource {
    private static final Logger LOG = Logger.getLogger(UpstreamResource.class);
    private static final String AREAS = "{area: images|disks|sessions|profiles|preview}{rest: (/.*)?}";
    private static final List<String> FORWARDED = List.of("Content-Type", "Content-Length", "Accept");
    private static final List<String> RETURNED = List.of("Content-Type", "Location", "X-Chainboot-Profile",
            "X-Chainboot-Chosen-By", "X-Chainboot-Machine", "X-Chainboot-Failure");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final InventoryConfig config;
    private final CommonConfig common;

    public UpstreamResource(InventoryConfig config, CommonConfig common) {
        this.config = config;
        this.common = common;
    }

    /** The internal URL a public {@code /api/...} path goes to, or empty when none serves it. */
    static Optional<URI> target(String area, String rest, String rawQuery, InventoryConfig.Upstream up) {
        String base;
        String path;
        switch (area) {
            case "images", "disks" -> {
                base = up.iscsiUrl();
                path = "/api/" + area + rest;
            }
            case "sessions" -> {
                if (!rest.isEmpty()) {
                    return Optional.empty();
                }
                base = up.iscsiUrl();
                path = "/iscsi/sessions";
            }
            case "profiles", "preview" -> {
                base = up.scriptUrl();
                path = "/api/" + area + rest;
            }
            default -> {
                return Optional.empty();
            }
        }
        String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return Optional.of(URI.create(b + path + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery)));
    }

    @GET
    @Path(AREAS)
    @Operation(summary = "Read images, disks, sessions (iscsi-service) or profiles, previews (script-service); "
            + "see docs/api.md for each path and its statuses")
    public Response get(@PathParam("area") String area, @PathParam("rest") String rest, @Context UriInfo uri,
                        @Context HttpHeaders headers, @Context ContainerRequestContext ctx) {
        return forward("GET", area, rest, uri, headers, ctx, null);
    }

    @HEAD
    @Path(AREAS)
    public Response head(@PathParam("area") String area, @PathParam("rest") String rest, @Context UriInfo uri,
                         @Context HttpHeaders headers, @Context ContainerRequestContext ctx) {
        return forward("HEAD", area, rest, uri, headers, ctx, null);
    }

    @POST
    @Path(AREAS)
    @Operation(summary = "Admin: import an image, create/reset/snapshot/restore/promote a disk, validate/reload profiles")
    public Response post(@PathParam("area") String area, @PathParam("rest") String rest, @Context UriInfo uri,
                         @Context HttpHeaders headers, @Context ContainerRequestContext ctx, InputStream body) {
        return forward("POST", area, rest, uri, headers, ctx, body);
    }

    @PUT
    @Path(AREAS)
    @Operation(summary = "Admin: upload an image (body application/octet-stream), create or replace a profile (YAML/JSON document)")
    public Response put(@PathParam("area") String area, @PathParam("rest") String rest, @Context UriInfo uri,
                        @Context HttpHeaders headers, @Context ContainerRequestContext ctx, InputStream body) {
        return forward("PUT", area, rest, uri, headers, ctx, body);
    }

    @PUT
    @Path("/images/{name}")
    @SecurityRequirement(name = "token")
    @Operation(summary = "Admin: upload an image (body: the file, application/octet-stream): raw, or qcow2/VMDK/VHDX/VDI "
            + "converted to raw; streamed through to iscsi-service, never held in memory; ?sha256=HEX is checked; "
            + "progress at GET /api/images/imports")
    @APIResponse(responseCode = "201", description = "uploaded: name, sizeBytes, sha256 (of the raw image), users, format, "
            + "receivedBytes, receivedSha256 (of the bytes sent)")
    @APIResponse(responseCode = "400", description = "invalid name; sha256 not as given or not hex; body empty, cut, or not "
            + "an image; a qcow2/VMDK that cannot be read or has a backing file or extent elsewhere (the problem names the field)")
    @APIResponse(responseCode = "401", description = "no valid token")
    @APIResponse(responseCode = "403", description = "not an admin token")
    @APIResponse(responseCode = "409", description = "the image exists or is being imported")
    @APIResponse(responseCode = "413", description = "over iscsi-service's chainboot.iscsi.upload-limit-bytes (named in the problem)")
    @APIResponse(responseCode = "415", description = "a compressed archive, or a body type other than application/octet-stream")
    @APIResponse(responseCode = "502", description = "iscsi-service did not answer")
    @APIResponse(responseCode = "503", description = "a qcow2/VMDK/VHDX/VDI upload and qemu-img is not installed")
    public Response upload(@PathParam("name") String name, @Context UriInfo uri, @Context HttpHeaders headers,
                           @Context ContainerRequestContext ctx, InputStream body) {
        Optional<UploadLimit> limit = uploadLimit();
        if (limit.isEmpty()) {
            return forward("PUT", "images", "/" + name, uri, headers, ctx, body); // iscsi-service still checks it
        }
        String length = headers.getHeaderString("Content-Length");
        if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > limit.get().bytes()) {
            return tooLarge("the upload is " + length + " bytes, over the limit of " + limit.get().describe());
        }
        Capped capped = new Capped(body, limit.get().bytes());
        Response r = forward("PUT", "images", "/" + name, uri, headers, ctx, capped);
        return capped.over ? tooLarge("the upload is over the limit of " + limit.get().describe()) : r;
    }

    /** iscsi-service's upload limit, from the one place it is set ({@code GET /api/upload-limit} there). */
    record UploadLimit(long bytes, String key) {
        String describe() {
            return bytes + " bytes (" + key + " on iscsi-service)";
        }
    }

    private static final java.util.regex.Pattern LIMIT = java.util.regex.Pattern.compile("\"limitBytes\"\\s*:\\s*(\\d{1,19})");
    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("\"key\"\\s*:\\s*\"([^\"]*)\"");

    /** Asks iscsi-service for its limit; empty when it does not answer (then the forwarded upload finds out). */
    private Optional<UploadLimit> uploadLimit() {
        String base = config.upstream().iscsiUrl();
        URI u = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/api/upload-limit");
        try {
            HttpResponse<String> a = http.send(HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            java.util.regex.Matcher l = LIMIT.matcher(a.body());
            java.util.regex.Matcher k = KEY.matcher(a.body());
            if (a.statusCode() != 200 || !l.find()) {
                return Optional.empty();
            }
            return Optional.of(new UploadLimit(Long.parseLong(l.group(1)), k.find() ? k.group(1) : "the upload limit"));
        } catch (IOException | NumberFormatException e) {
            LOG.debugf("upload limit from %s: %s", u, e);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static Response tooLarge(String detail) {
        return Problems.response(new Problem(Problem.Kind.TOO_LARGE.type(), Problem.Kind.TOO_LARGE.title(), 413, detail, "body"));
    }

    /**
     * The client's body, passed on up to {@code limit} bytes: reading past it fails (so the forwarded
     * request is cut, and iscsi-service drops its partial file) and marks {@link #over}.
     */
    static final class Capped extends InputStream {
        private final InputStream in;
        private final long limit;
        private long count;
        volatile boolean over;

        Capped(InputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            long room = limit - count; // read one byte past the limit at most, to see that there is one
            int n = in.read(b, off, room >= len ? len : (int) room + 1);
            if (n > 0) {
                count += n;
                if (count > limit) {
                    over = true;
                    throw new IOException("the upload is over the limit of " + limit + " bytes");
                }
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    @PATCH
    @Path(AREAS)
    @Operation(summary = "Admin: change some fields of a profile (application/merge-patch+json)")
    public Response patch(@PathParam("area") String area, @PathParam("rest") String rest, @Context UriInfo uri,
                          @Context HttpHeaders headers, @Context ContainerRequestContext ctx, InputStream body) {
        return forward("PATCH", area, rest, uri, headers, ctx, body);
    }

    @DELETE
    @Path(AREAS)
    @Operation(summary = "Admin: delete an image, a machine's disk, a snapshot or a profile")
    public Response delete(@PathParam("area") String area, @PathParam("rest") String rest, @Context UriInfo uri,
                           @Context HttpHeaders headers, @Context ContainerRequestContext ctx) {
        return forward("DELETE", area, rest, uri, headers, ctx, null);
    }

    private Response forward(String method, String area, String rest, UriInfo uri, HttpHeaders headers,
                             ContainerRequestContext ctx, InputStream body) {
        Optional<URI> to = target(area, rest == null ? "" : rest, uri.getRequestUri().getRawQuery(), config.upstream());
        if (to.isEmpty()) {
            return Problems.response(Problem.Kind.NOT_FOUND, "no such path: " + uri.getPath());
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(to.get()).timeout(config.upstream().timeout());
        String length = headers.getHeaderString("Content-Length");
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofInputStream(() -> body);
        if (body != null && length != null && length.matches("\\d{1,18}")) {
            long n = Long.parseLong(length);
            publisher = n == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.fromPublisher(publisher, n);
        }
        req.method(method, publisher);
        for (String h : FORWARDED) {
            String v = headers.getHeaderString(h);
            if (v != null && !h.equals("Content-Length")) {
                req.header(h, v);
            }
        }
        common.clusterSecret().filter(s -> !s.isBlank()).ifPresent(s -> req.header("Authorization", "Bearer " + s));
        if (ctx.getProperty(Caller.PROPERTY) instanceof Caller c) {
            req.header("X-Chainboot-Caller", c.who());
        }
        HttpResponse<InputStream> answer;
        try {
            answer = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            LOG.warnf("%s %s: %s", method, to.get(), e.toString());
            return Problems.response(Problem.Kind.UPSTREAM_UNAVAILABLE, "the service behind " + uri.getPath() + " ("
                    + to.get().getScheme() + "://" + to.get().getAuthority() + ") did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Problems.response(Problem.Kind.UPSTREAM_UNAVAILABLE, "interrupted");
        }
        if (!InternalApiGuard.isRead(method) && answer.statusCode() < 400 && ctx.getProperty(Caller.PROPERTY) instanceof Caller c) {
            LOG.infof("%s %s by %s: %d", method, uri.getPath(), c.who(), answer.statusCode());
        }
        Response.ResponseBuilder r = Response.status(answer.statusCode());
        for (String h : RETURNED) {
            answer.headers().firstValue(h).ifPresent(v -> r.header(h, h.equals("Location") ? v.replace("/iscsi/", "/api/") : v));
        }
        if (answer.statusCode() == 204 || answer.statusCode() == 304 || "HEAD".equals(method)) {
            try (InputStream none = answer.body()) {
                return r.build(); // no body, and no content type for one
            } catch (IOException e) {
                return r.build();
            }
        }
        return r.entity(answer.body()).build();
    }
}
