package io.chainboot.iscsi.disk;

import io.chainboot.common.CommonConfig;
import io.chainboot.common.MachineDirectory;
import io.chainboot.events.DiskKind;
import io.chainboot.events.MacAddress;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * REST API for golden images and per-machine disks. Disk operations that replace a file (reset,
 * restore, delete) are meant for a machine that is not logged in: the target keeps serving the
 * file it opened until its sessions end.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "disks")
public class DiskResource {
    @Inject
    DiskStore store;
    @Inject
    CommonConfig common;
    @Inject
    MachineDirectory machines;

    DiskStore store() {
        return store;
    }

    public record CreateDisk(DiskKind kind, String image, Long sizeBytes) {
    }

    @GET
    @Path("/images")
    @Operation(summary = "Golden images with size, SHA-256 and the machines whose overlays use them")
    public List<DiskStore.Image> images() throws IOException {
        return store().images();
    }

    @GET
    @Path("/images/imports")
    @Operation(summary = "Imports in progress: bytes copied of total")
    public List<DiskStore.ImportProgress> imports() {
        return store().importsInProgress();
    }

    @POST
    @Path("/images/{name}")
    @Operation(summary = "Import a raw image from a file on the server (copied, checksummed, made read-only)")
    public Response importFromPath(@PathParam("name") String name, @QueryParam("path") String path) throws IOException {
        return answer(() -> {
            if (path == null || path.isBlank()) {
                throw new IllegalArgumentException("query parameter 'path' is required");
            }
            DiskStore.Image img = store().importImage(name, java.nio.file.Path.of(path), null);
            return Response.status(Response.Status.CREATED).entity(img).build();
        });
    }

    @PUT
    @Path("/images/{name}")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "Upload a raw image over HTTP (body = the image bytes)")
    public Response upload(@PathParam("name") String name, @HeaderParam("Content-Length") Long length, InputStream body)
            throws IOException {
        return answer(() -> {
            DiskStore.Image img = store().importImage(name, body, length == null ? -1 : length, null);
            return Response.status(Response.Status.CREATED).entity(img).build();
        });
    }

    @DELETE
    @Path("/images/{name}")
    @Operation(summary = "Delete a golden image no overlay uses")
    public Response deleteImage(@PathParam("name") String name) throws IOException {
        return answer(() -> {
            store().deleteImage(name);
            return Response.noContent().build();
        });
    }

    @GET
    @Path("/disks/{mac}")
    @Operation(summary = "A machine's disk: kind, golden image, size, bytes used, snapshots")
    public Response disk(@PathParam("mac") String mac) throws IOException {
        return answer(() -> {
            Optional<DiskStore.Disk> d = store().disk(MacAddress.parse(mac));
            return d.map(x -> Response.ok(x).build()).orElse(Response.status(404).entity(Map.of("error", "no disk")).build());
        });
    }

    @POST
    @Path("/disks/{mac}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a machine's disk: OVERLAY on a golden image, or RAW of a size")
    public Response create(@PathParam("mac") String mac, CreateDisk body) throws IOException {
        return answer(() -> {
            if (body == null || body.kind() == null) {
                throw new IllegalArgumentException("body {kind, image, sizeBytes} is required");
            }
            return Response.status(Response.Status.CREATED)
                    .entity(store().create(MacAddress.parse(mac), body.kind(), body.image(), body.sizeBytes())).build();
        });
    }

    @POST
    @Path("/disks/{mac}/reset")
    @Operation(summary = "Reset a machine's overlay to its golden image")
    public Response reset(@PathParam("mac") String mac) throws IOException {
        return answer(() -> {
            store().reset(MacAddress.parse(mac));
            return Response.noContent().build();
        });
    }

    @POST
    @Path("/disks/{mac}/snapshots/{name}")
    @Operation(summary = "Keep a copy of the machine's overlay as it is now")
    public Response snapshot(@PathParam("mac") String mac, @PathParam("name") String name) throws IOException {
        return answer(() -> {
            store().snapshot(MacAddress.parse(mac), name);
            return Response.status(Response.Status.CREATED).build();
        });
    }

    @POST
    @Path("/disks/{mac}/snapshots/{name}/restore")
    @Operation(summary = "Make the machine's overlay what a snapshot holds")
    public Response restore(@PathParam("mac") String mac, @PathParam("name") String name) throws IOException {
        return answer(() -> {
            store().restore(MacAddress.parse(mac), name);
            return Response.noContent().build();
        });
    }

    @POST
    @Path("/disks/{mac}/promote")
    @Operation(summary = "Write golden image + the machine's overlay as a new golden image")
    public Response promote(@PathParam("mac") String mac, @QueryParam("image") String image) throws IOException {
        return answer(() -> {
            if (image == null || image.isBlank()) {
                throw new IllegalArgumentException("query parameter 'image' is required");
            }
            return Response.status(Response.Status.CREATED).entity(store().promote(MacAddress.parse(mac), image, null)).build();
        });
    }

    @DELETE
    @Path("/disks/{mac}")
    @Operation(summary = "Delete a machine's disk (overlay with its snapshots, or RAW disk)")
    public Response delete(@PathParam("mac") String mac) throws IOException {
        return answer(() -> {
            return store().delete(MacAddress.parse(mac)) ? Response.noContent().build()
                    : Response.status(404).entity(Map.of("error", "no disk")).build();
        });
    }

    @GET
    @Path("/disks/{mac}/preflight")
    @Operation(summary = "Pre-flight checks: disk at LUN 0, 512-byte blocks, CHAP consistent with the spec, overlay space left")
    public Response preflight(@PathParam("mac") String mac) throws IOException {
        return answer(() -> {
            MacAddress m = MacAddress.parse(mac);
            return Response.ok(Preflight.run(store(), m.toString(), machines.byMac(m), common.iqnPrefix(),
                    common.clusterSecret())).build();
        });
    }

    /** The body of an endpoint; bad names and unknown images answer 400, conflicts 409, with the reason. */
    interface Call {
        Response run() throws IOException;
    }

    static Response answer(Call c) throws IOException {
        try {
            return c.run();
        } catch (IllegalStateException e) {
            return Response.status(409).type(MediaType.APPLICATION_JSON).entity(Map.of("error", String.valueOf(e.getMessage()))).build();
        } catch (IllegalArgumentException e) {
            return Response.status(400).type(MediaType.APPLICATION_JSON).entity(Map.of("error", String.valueOf(e.getMessage()))).build();
        }
    }
}
