package io.chainboot.iscsi.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bad input to the image and disk API: each request answers a 4xx RFC 9457 problem naming the
 * field, never a 500, and leaves nothing behind (no image, no overlay, no temporary file).
 */
@QuarkusTest
@TestProfile(DiskApiProfile.class)
class DiskBadInputTest {
    static final String MAC = "52:54:00:99:00:02";

    static void problem(Response r, int status, String type, String field, String detailPart) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("type")).isEqualTo("urn:chainboot:problem:" + type);
        assertThat(r.jsonPath().getInt("status")).isEqualTo(status);
        if (field != null) {
            assertThat(r.jsonPath().getString("field")).isEqualTo(field);
        }
        assertThat(r.jsonPath().getString("detail")).contains(detailPart);
    }

    @Test
    void importsThatCannotBeServedAreRefusedAndLeaveNothing() throws Exception {
        Path in = Files.createDirectories(DiskApiProfile.DIR.resolve("import"));
        Files.write(in.resolve("disk.qcow2"), concat(new byte[] {'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 3}, new byte[1024]));
        Files.write(in.resolve("disk.vmdk"), concat("KDMV".getBytes(StandardCharsets.US_ASCII), new byte[1020]));
        Files.write(in.resolve("odd.raw"), new byte[1000]);
        Files.write(in.resolve("empty.raw"), new byte[0]);
        Files.createDirectories(in.resolve("adir"));
        Files.deleteIfExists(in.resolve("shadow-link"));
        Files.createSymbolicLink(in.resolve("shadow-link"), Path.of("/etc/passwd"));
        // a well-formed qcow2 whose backing file is a file of the server, and a VMDK text descriptor naming one
        ImageConversionTest.qemuImg("create", "-f", "qcow2", "-b", "/etc/passwd", "-F", "raw",
                in.resolve("backed.qcow2").toString(), "1M");
        Files.writeString(in.resolve("descriptor.vmdk"), "# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicFlat\"\n"
                + "RW 2048 FLAT \"/etc/passwd\" 0\n");
        Map<String, String> before = WriteGuardTest.files();

        // qcow2/VMDK are converted with qemu-img: broken ones and ones that would read other files are refused
        problem(DiskApiTest.admin().post("/api/images/q?path=disk.qcow2"), 400, "invalid-field", null, "not a valid qcow2 image");
        problem(DiskApiTest.admin().post("/api/images/v?path=disk.vmdk"), 400, "invalid-field", null, "not a valid VMDK image");
        problem(DiskApiTest.admin().post("/api/images/b?path=backed.qcow2"), 400, "invalid-field", null, "backing file");
        problem(DiskApiTest.admin().post("/api/images/t?path=descriptor.vmdk"), 400, "invalid-field", null, "descriptor");
        problem(DiskApiTest.admin().post("/api/images/o?path=odd.raw"), 400, "invalid-field", null, "multiple of 512");
        problem(DiskApiTest.admin().post("/api/images/e?path=empty.raw"), 400, "invalid-field", null, "multiple of 512");
        problem(DiskApiTest.admin().post("/api/images/m?path=missing.raw"), 400, "invalid-field", null, "no file");
        problem(DiskApiTest.admin().post("/api/images/d?path=adir"), 400, "invalid-field", null, "directory");
        problem(DiskApiTest.admin().post("/api/images/n"), 400, "invalid-field", null, "'path' is required");
        problem(DiskApiTest.admin().post("/api/images/s?path=/etc/shadow"), 403, "forbidden", "path", "outside the import directory");
        problem(DiskApiTest.admin().post("/api/images/s?path=../../../etc/shadow"), 403, "forbidden", "path", "outside");
        problem(DiskApiTest.admin().post("/api/images/s?path=shadow-link"), 403, "forbidden", "path", "symbolic link");
        problem(DiskApiTest.admin().post("/api/images/..%2F..%2Fetc?path=odd.raw"), 400, "invalid-field", "name", "invalid name");
        problem(DiskApiTest.admin().post("/api/images/a%2Fb?path=odd.raw"), 400, "invalid-field", "name", "invalid name");
        problem(DiskApiTest.admin().contentType("application/octet-stream").body("QFI\u00fb".getBytes(StandardCharsets.ISO_8859_1))
                .put("/api/images/up"), 400, "invalid-field", null, "not a valid qcow2 image");
        problem(DiskApiTest.admin().contentType("application/octet-stream").body(concat(new byte[] {0x1f, (byte) 0x8b, 8, 0}, new byte[508]))
                .put("/api/images/up"), 415, "unsupported-media", null, "gzip archive");
        problem(DiskApiTest.admin().contentType("application/octet-stream").body(new byte[700]).put("/api/images/up"),
                400, "invalid-field", null, "multiple of 512");
        assertThat(WriteGuardTest.files()).as("no image, checksum or temporary file was left").isEqualTo(before);
    }

    @Test
    void disksWithImpossibleSizesOrUnknownImagesAreRefusedAndLeaveNothing() throws Exception {
        Files.createDirectories(DiskApiProfile.DIR.resolve("import"));
        Disks.goldenImage(DiskApiProfile.DIR.resolve("import/small.raw"), 16);
        DiskApiTest.admin().post("/api/images/small?path=small.raw").then().statusCode(201);
        Map<String, String> before = WriteGuardTest.files();

        problem(DiskApiTest.admin().contentType("application/json").body("{\"kind\":\"OVERLAY\",\"image\":\"small\",\"sizeBytes\":"
                + Long.MAX_VALUE / 512 * 512 + "}").post("/api/disks/" + MAC), 400, "invalid-field", null, "over the limit");
        problem(DiskApiTest.admin().contentType("application/json").body("{\"kind\":\"RAW\",\"sizeBytes\":513}")
                .post("/api/disks/" + MAC), 400, "invalid-field", null, "multiple of 512");
        problem(DiskApiTest.admin().contentType("application/json").body("{\"kind\":\"OVERLAY\",\"image\":\"nope\"}")
                .post("/api/disks/" + MAC), 400, "invalid-field", null, "no golden image");
        problem(DiskApiTest.admin().contentType("application/json").body("{\"kind\":\"OVERLAY\",\"image\":\"../x\"}")
                .post("/api/disks/" + MAC), 400, "invalid-field", null, "invalid name");
        problem(DiskApiTest.admin().contentType("application/json").body("{\"kind\":\"OVERLAY\",\"image\":\"small\",\"colour\":1}")
                .post("/api/disks/" + MAC), 400, "invalid-field", "colour", "unknown field");
        problem(DiskApiTest.admin().contentType("application/json").body("{\"kind\":\"FLOPPY\"}")
                .post("/api/disks/" + MAC), 400, "invalid-field", "kind", "wrong type");
        problem(DiskApiTest.admin().contentType("application/json").body("{\"kind\":").post("/api/disks/" + MAC),
                400, "malformed-body", null, "not valid JSON");
        problem(DiskApiTest.admin().contentType("application/json").body("{}").post("/api/disks/" + MAC),
                400, "invalid-field", "kind", "required");
        problem(DiskApiTest.admin().contentType("application/json").body("{\"kind\":\"RAW\",\"sizeBytes\":512}")
                .post("/api/disks/not-a-mac"), 400, "invalid-field", "mac", "not a MAC");
        problem(DiskApiTest.admin().post("/api/disks/" + MAC + "/reset"), 400, "invalid-field", null, "no overlay");
        problem(DiskApiTest.admin().post("/api/disks/" + MAC + "/snapshots/a%2Fb"), 400, "invalid-field", "name", "invalid name");
        problem(DiskApiTest.admin().post("/api/disks/" + MAC + "/promote"), 400, "invalid-field", "image", "required");
        problem(DiskApiTest.admin().delete("/api/disks/" + MAC), 404, "not-found", null, "no disk");
        problem(DiskApiTest.admin().delete("/api/images/nope"), 404, "not-found", null, "no image");
        assertThat(WriteGuardTest.files()).as("no overlay or RAW file was made").isEqualTo(before);
        DiskApiTest.admin().delete("/api/images/small").then().statusCode(204);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
