package io.chainboot.iscsi.disk;

import io.chainboot.common.CommonConfig;
import io.chainboot.common.MachineDirectory;
import io.chainboot.common.api.Problem;
import io.chainboot.common.api.Problems;
import io.chainboot.iscsi.IscsiConfig;
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
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
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
    @Inject
    IscsiConfig config;

    DiskStore store() {
        return store;
    }

    public record CreateDisk(DiskKind kind, String image, Long sizeBytes) {
    }

    @GET
    @Path("/images")
    @Operation(summary = "Golden images with size, SHA-256 and the machines whose overlays use them")
    @APIResponse(responseCode = "200", description = "the images")
    public List<DiskStore.Image> images() throws IOException {
        return store().images();
    }

    @GET
    @Path("/images/imports")
    @Operation(summary = "Imports in progress: bytes copied of total")
    @APIResponse(responseCode = "200", description = "imports in progress")
    public List<DiskStore.ImportProgress> imports() {
        return store().importsInProgress();
    }

    /** The upload limit, for the entry point to refuse a larger upload before it forwards a byte. */
    public record UploadLimit(long limitBytes, String key) {
    }

    @GET
    @Path("/upload-limit")
    @Operation(summary = "The largest image upload accepted (chainboot.iscsi.upload-limit-bytes); the entry point reads it "
            + "to answer 413 before forwarding a larger upload")
    @APIResponse(responseCode = "200", description = "limitBytes and the config key that sets it")
    public UploadLimit uploadLimit() {
        return new UploadLimit(config.uploadLimitBytes(), "chainboot.iscsi.upload-limit-bytes");
    }

    @GET
    @Path("/images/{name}")
    @Operation(summary = "One golden image with size, SHA-256 and the machines whose overlays use it")
    @APIResponse(responseCode = "200", description = "the image")
    @APIResponse(responseCode = "400", description = "invalid name")
    @APIResponse(responseCode = "404", description = "no such image")
    public Response image(@PathParam("name") String name) throws IOException {
        return answer(() -> store().image(name("name", name)).map(i -> Response.ok(i).build())
                .orElseGet(() -> Problems.response(Problem.Kind.NOT_FOUND, "no image '" + name + "'")));
    }

    @POST
    @Path("/images/{name}")
    @Operation(summary = "Import an image from a file in the import directory (chainboot.iscsi.import-dir): raw copied, "
            + "qcow2/VMDK/VHDX/VDI converted to raw with qemu-img; checksummed, made read-only")
    @APIResponse(responseCode = "201", description = "imported")
    @APIResponse(responseCode = "400", description = "invalid name, no path, missing file, directory, size not a multiple of 512, "
            + "a qcow2/VMDK qemu-img cannot read, or one with a backing file, external data file or extent elsewhere")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    @APIResponse(responseCode = "403", description = "path outside the import directory")
    @APIResponse(responseCode = "409", description = "the image exists")
    @APIResponse(responseCode = "503", description = "qemu-img (Debian qemu-utils) is not installed")
    public Response importFromPath(@PathParam("name") String name, @QueryParam("path") String path) throws IOException {
        return answer(() -> {
            name("name", name);
            java.nio.file.Path source = ImportDir.resolve(java.nio.file.Path.of(config.importDir()), path);
            DiskStore.Image img = store().importImage(name, source, null);
            return Response.status(Response.Status.CREATED).entity(img).build();
        });
    }

    @PUT
    @Path("/images/{name}")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "Upload an image over HTTP (body = the image file, streamed to disk, never held in memory): raw, "
            + "or qcow2/VMDK/VHDX/VDI converted to raw with qemu-img; SHA-256 of the received bytes answered and, with "
            + "?sha256=HEX, checked; progress at GET /api/images/imports; at most chainboot.iscsi.upload-limit-bytes")
    @APIResponse(responseCode = "201", description = "uploaded: name, sizeBytes, sha256 (of the raw image), users, format, "
            + "receivedBytes, receivedSha256")
    @APIResponse(responseCode = "400", description = "invalid name; sha256 not as given or not hex; body empty, cut short of "
            + "its Content-Length, or not an image (size not a multiple of 512); a qcow2/VMDK qemu-img cannot read or with a "
            + "backing file, external data file or extent elsewhere")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    @APIResponse(responseCode = "409", description = "the image exists, or is being imported")
    @APIResponse(responseCode = "413", description = "over chainboot.iscsi.upload-limit-bytes (the problem names the limit)")
    @APIResponse(responseCode = "415", description = "a compressed archive (gzip, xz, zstd, bzip2, zip, 7z), not a disk image")
    @APIResponse(responseCode = "503", description = "a qcow2/VMDK/VHDX/VDI upload and qemu-img (Debian qemu-utils) is not installed")
    public Response upload(@PathParam("name") String name, @HeaderParam("Content-Length") Long length,
                           @QueryParam("sha256") String sha256, InputStream body) throws IOException {
        return answer(() -> {
            DiskStore.Uploaded img = store().upload(name("name", name), body, length == null ? -1 : length, sha256,
                    config.uploadLimitBytes(), null);
            return Response.status(Response.Status.CREATED).entity(img).build();
        });
    }

    @DELETE
    @Path("/images/{name}")
    @Operation(summary = "Delete a golden image no overlay uses")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "400", description = "invalid name")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    @APIResponse(responseCode = "404", description = "no such image")
    @APIResponse(responseCode = "409", description = "overlays use it")
    public Response deleteImage(@PathParam("name") String name) throws IOException {
        return answer(() -> {
            if (store().image(name("name", name)).isEmpty()) {
                return Problems.response(Problem.Kind.NOT_FOUND, "no image '" + name + "'");
            }
            store().deleteImage(name);
            return Response.noContent().build();
        });
    }

    @GET
    @Path("/disks")
    @Operation(summary = "Every machine disk (overlays and RAW disks named by MAC), also those of deleted machines")
    @APIResponse(responseCode = "200", description = "the disks")
    public List<DiskStore.Disk> disks() throws IOException {
        return store().disks();
    }

    @DELETE
    @Path("/disks/{mac}/snapshots/{name}")
    @Operation(summary = "Delete one snapshot of a machine's overlay")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "400", description = "not a MAC or bad name")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    @APIResponse(responseCode = "404", description = "no such snapshot")
    public Response deleteSnapshot(@PathParam("mac") String mac, @PathParam("name") String name) throws IOException {
        return answer(() -> store().deleteSnapshot(mac(mac), name("name", name)) ? Response.noContent().build()
                : Problems.response(Problem.Kind.NOT_FOUND, "no snapshot '" + name + "' of " + mac));
    }

    @GET
    @Path("/disks/{mac}")
    @Operation(summary = "A machine's disk: kind, golden image, size, bytes used, snapshots")
    @APIResponse(responseCode = "200", description = "the disk")
    @APIResponse(responseCode = "400", description = "not a MAC")
    @APIResponse(responseCode = "404", description = "no disk")
    public Response disk(@PathParam("mac") String mac) throws IOException {
        return answer(() -> {
            Optional<DiskStore.Disk> d = store().disk(mac(mac));
            return d.map(x -> Response.ok(x).build()).orElseGet(() -> Problems.response(Problem.Kind.NOT_FOUND, "no disk for " + mac));
        });
    }

    @POST
    @Path("/disks/{mac}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a machine's disk: OVERLAY on a golden image, or RAW of a size")
    @APIResponse(responseCode = "201", description = "created")
    @APIResponse(responseCode = "400", description = "bad kind, image, size or unknown field")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    @APIResponse(responseCode = "409", description = "the machine has a disk")
    public Response create(@PathParam("mac") String mac, CreateDisk body) throws IOException {
        return answer(() -> {
            if (body == null || body.kind() == null) {
                throw Problems.badField("kind", "is required (OVERLAY or RAW), in a body {kind, image, sizeBytes}");
            }
            return Response.status(Response.Status.CREATED)
                    .entity(store().create(mac(mac), body.kind(), body.image(), body.sizeBytes())).build();
        });
    }

    @POST
    @Path("/disks/{mac}/reset")
    @Operation(summary = "Reset a machine's overlay to its golden image")
    @APIResponse(responseCode = "204", description = "reset")
    @APIResponse(responseCode = "400", description = "not a MAC or no overlay")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    public Response reset(@PathParam("mac") String mac) throws IOException {
        return answer(() -> {
            store().reset(mac(mac));
            return Response.noContent().build();
        });
    }

    @POST
    @Path("/disks/{mac}/snapshots/{name}")
    @Operation(summary = "Keep a copy of the machine's overlay as it is now")
    @APIResponse(responseCode = "201", description = "kept")
    @APIResponse(responseCode = "400", description = "not a MAC, bad name or no overlay")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    @APIResponse(responseCode = "409", description = "the snapshot exists")
    public Response snapshot(@PathParam("mac") String mac, @PathParam("name") String name) throws IOException {
        return answer(() -> {
            store().snapshot(mac(mac), name("name", name));
            return Response.status(Response.Status.CREATED).build();
        });
    }

    @POST
    @Path("/disks/{mac}/snapshots/{name}/restore")
    @Operation(summary = "Make the machine's overlay what a snapshot holds")
    @APIResponse(responseCode = "204", description = "restored")
    @APIResponse(responseCode = "400", description = "not a MAC, no overlay or no such snapshot")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    @APIResponse(responseCode = "409", description = "being served")
    public Response restore(@PathParam("mac") String mac, @PathParam("name") String name) throws IOException {
        return answer(() -> {
            store().restore(mac(mac), name);
            return Response.noContent().build();
        });
    }

    @POST
    @Path("/disks/{mac}/promote")
    @Operation(summary = "Write golden image + the machine's overlay as a new golden image")
    @APIResponse(responseCode = "201", description = "the new image")
    @APIResponse(responseCode = "400", description = "not a MAC, no image name or no overlay")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    @APIResponse(responseCode = "409", description = "the image exists")
    public Response promote(@PathParam("mac") String mac, @QueryParam("image") String image) throws IOException {
        return answer(() -> {
            if (image == null || image.isBlank()) {
                throw Problems.badField("image", "query parameter 'image' is required");
            }
            return Response.status(Response.Status.CREATED).entity(store().promote(mac(mac), name("image", image), null)).build();
        });
    }

    @DELETE
    @Path("/disks/{mac}")
    @Operation(summary = "Delete a machine's disk (overlay with its snapshots, or RAW disk)")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "400", description = "not a MAC")
    @APIResponse(responseCode = "401", description = "no cluster secret")
    @APIResponse(responseCode = "404", description = "no disk")
    public Response delete(@PathParam("mac") String mac) throws IOException {
        return answer(() -> {
            return store().delete(mac(mac)) ? Response.noContent().build()
                    : Problems.response(Problem.Kind.NOT_FOUND, "no disk for " + mac);
        });
    }

    @GET
    @Path("/disks/{mac}/preflight")
    @Operation(summary = "Pre-flight checks: disk at LUN 0, 512-byte blocks, CHAP consistent with the spec, overlay space left")
    @APIResponse(responseCode = "200", description = "the checks")
    @APIResponse(responseCode = "400", description = "not a MAC")
    public Response preflight(@PathParam("mac") String mac) throws IOException {
        return answer(() -> {
            MacAddress m = mac(mac);
            return Response.ok(Preflight.run(store(), m.toString(), machines.byMac(m), common.iqnPrefix(),
                    common.clusterSecret())).build();
        });
    }

    static MacAddress mac(String mac) {
        try {
            return MacAddress.parse(mac);
        } catch (IllegalArgumentException e) {
            throw Problems.badField("mac", e.getMessage());
        }
    }

    static String name(String field, String name) {
        try {
            return DiskStore.checkName(name);
        } catch (IllegalArgumentException e) {
            throw Problems.badField(field, e.getMessage());
        }
    }

    /**
     * The body of an endpoint. Bad input answers as an RFC 9457 problem: a non-raw image format 415,
     * an import path outside the import directory 403, other bad names, sizes and unknown images 400,
     * conflicts 409 — each with the reason.
     */
    interface Call {
        Response run() throws IOException;
    }

    static Response answer(Call c) throws IOException {
        try {
            return c.run();
        } catch (IllegalStateException e) {
            return Problems.response(Problem.Kind.CONFLICT, String.valueOf(e.getMessage()));
        } catch (ImageConversion.ToolMissing e) {
            return Problems.response(new Problem("urn:chainboot:problem:unavailable", "Service unavailable", 503,
                    e.getMessage(), "path"));
        } catch (DiskStore.TooLarge e) {
            return Problems.response(new Problem(Problem.Kind.TOO_LARGE.type(), Problem.Kind.TOO_LARGE.title(), 413,
                    e.getMessage(), "body"));
        } catch (DiskStore.BadUpload e) {
            return Problems.response(new Problem(Problem.Kind.INVALID_FIELD.type(), Problem.Kind.INVALID_FIELD.title(), 400,
                    e.getMessage(), e.field()));
        } catch (ImageFormat.Unsupported e) {
            return Problems.response(new Problem(Problem.Kind.UNSUPPORTED_MEDIA.type(), Problem.Kind.UNSUPPORTED_MEDIA.title(),
                    415, e.getMessage(), "path"));
        } catch (ImportDir.Outside e) {
            return Problems.response(new Problem(Problem.Kind.FORBIDDEN.type(), Problem.Kind.FORBIDDEN.title(), 403,
                    e.getMessage(), "path"));
        } catch (IllegalArgumentException e) {
            return Problems.response(Problem.of(Problem.Kind.INVALID_FIELD, String.valueOf(e.getMessage())));
        }
    }
}
