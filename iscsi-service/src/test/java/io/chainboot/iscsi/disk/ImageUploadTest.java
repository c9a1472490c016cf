package io.chainboot.iscsi.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code PUT /api/images/{name}} in the running service, over real HTTP: raw, qcow2 and VMDK
 * uploads (converted by the real qemu-img), the SHA-256 answered and checked against {@code
 * ?sha256=}, the configured size limit (413 naming it, declared and chunked), a cut connection
 * (raw socket closed mid-body) watched through {@code GET /api/images/imports}, a wrong checksum
 * and non-images — each failure leaving no file — and every status met listed in {@code /q/openapi}.
 */
@QuarkusTest
@TestProfile(DiskApiProfile.class)
class ImageUploadTest {
    @TestHTTPResource("/")
    URL base;

    final Set<Integer> statuses = new TreeSet<>();

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    Response put(String name, byte[] body, String query) {
        Response r = DiskApiTest.admin().contentType("application/octet-stream").body(body)
                .put("/api/images/" + name + (query == null ? "" : "?" + query));
        statuses.add(r.statusCode());
        return r;
    }

    @Test
    void uploadsStreamConvertChecksumAndLeaveNothingWhenRefused() throws Exception {
        Path work = Files.createDirectories(DiskApiProfile.DIR.resolve("upload-work"));
        Path raw = work.resolve("golden.raw");
        Files.deleteIfExists(raw);
        Disks.goldenImage(raw, 4096); // 2 MiB
        byte[] rawBytes = Files.readAllBytes(raw);
        String rawSha = sha(rawBytes);

        // raw, with the client's checksum: kept as sent
        Response r = put("up-raw", rawBytes, "sha256=" + rawSha.toUpperCase());
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(201);
        assertThat(r.jsonPath().getString("format")).isEqualTo("raw");
        assertThat(r.jsonPath().getString("sha256")).isEqualTo(rawSha);
        assertThat(r.jsonPath().getString("receivedSha256")).isEqualTo(rawSha);
        assertThat(r.jsonPath().getLong("receivedBytes")).isEqualTo(rawBytes.length);
        assertThat(Files.readAllBytes(DiskApiProfile.DIR.resolve("images/up-raw.img"))).isEqualTo(rawBytes);
        statuses.add(put("up-raw", rawBytes, null).statusCode()); // exists: 409

        // qcow2 and VMDK: converted by qemu-img, the image's SHA-256 is the raw content's
        for (String fmt : List.of("qcow2", "vmdk")) {
            Path f = work.resolve("golden." + fmt);
            Files.deleteIfExists(f);
            ImageConversionTest.qemuImg("convert", "-f", "raw", "-O", fmt, raw.toString(), f.toString());
            byte[] sent = Files.readAllBytes(f);
            r = put("up-" + fmt, sent, "sha256=" + sha(sent));
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(201);
            assertThat(r.jsonPath().getString("format")).isEqualToIgnoringCase(fmt);
            assertThat(r.jsonPath().getString("sha256")).as("the raw image's checksum").isEqualTo(rawSha);
            assertThat(r.jsonPath().getString("receivedSha256")).isEqualTo(sha(sent));
            assertThat(r.jsonPath().getLong("sizeBytes")).isEqualTo(rawBytes.length);
            assertThat(Files.readAllBytes(DiskApiProfile.DIR.resolve("images/up-" + fmt + ".img"))).isEqualTo(rawBytes);
        }

        Map<String, String> before = WriteGuardTest.files();
        // a wrong checksum, a malformed one
        r = put("bad-sha", rawBytes, "sha256=" + "0".repeat(64));
        DiskBadInputTest.problem(r, 400, "invalid-field", "sha256", rawSha);
        DiskBadInputTest.problem(put("bad-sha", rawBytes, "sha256=xyz"), 400, "invalid-field", "sha256", "64 hexadecimal");
        // the limit as the entry point reads it (the one place it is set)
        JsonPath limit = RestAssured.given().get("/api/upload-limit").then().statusCode(200).extract().jsonPath();
        assertThat(limit.getLong("limitBytes")).isEqualTo(DiskApiProfile.UPLOAD_LIMIT);
        assertThat(limit.getString("key")).isEqualTo("chainboot.iscsi.upload-limit-bytes");
        // over the limit: declared, and chunked (no Content-Length)
        byte[] big = new byte[(int) DiskApiProfile.UPLOAD_LIMIT + 512];
        big[0] = 1;
        DiskBadInputTest.problem(put("too-big", big, null), 413, "too-large", "body", "limit of " + DiskApiProfile.UPLOAD_LIMIT);
        r = DiskApiTest.admin().contentType("application/octet-stream").body(new ByteArrayInputStream(big)).put("/api/images/too-big2");
        statuses.add(r.statusCode());
        DiskBadInputTest.problem(r, 413, "too-large", "body", "chainboot.iscsi.upload-limit-bytes");
        // not images: text of an odd size, a gzip archive, nothing
        DiskBadInputTest.problem(put("text", "just some words\n".repeat(40).getBytes(StandardCharsets.US_ASCII), null),
                400, "invalid-field", "body", "multiple of 512");
        DiskBadInputTest.problem(put("gz", DiskBadInputTest.concat(new byte[] {0x1f, (byte) 0x8b, 8, 0}, new byte[1020]), null),
                415, "unsupported-media", null, "gzip");
        DiskBadInputTest.problem(put("empty", new byte[0], null), 400, "invalid-field", "body", "empty");
        DiskBadInputTest.problem(put("..%2Fx", rawBytes, null), 400, "invalid-field", "name", "invalid name");
        statuses.add(RestAssured.given().contentType("application/octet-stream").body(rawBytes).put("/api/images/nosecret").statusCode());
        assertThat(WriteGuardTest.files()).as("no image, checksum or temporary file left").isEqualTo(before);

        // a connection cut mid-body: progress shows the bytes received, then nothing is left
        long declared = 4L << 20;
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("PUT /api/images/cut HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + DiskApiProfile.SECRET
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + declared + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(rawBytes, 0, 1 << 20);
            out.flush();
            JsonPath p = null;
            for (int i = 0; i < 200; i++) {
                p = RestAssured.given().get("/api/images/imports").jsonPath();
                if (p.getList("findAll { it.name == 'cut' && it.copiedBytes >= 1048576 }").size() == 1) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(p.getString("find { it.name == 'cut' }.phase")).isEqualTo("receiving");
            assertThat(p.getLong("find { it.name == 'cut' }.totalBytes")).isEqualTo(declared);
            assertThat(p.getLong("find { it.name == 'cut' }.copiedBytes")).isGreaterThanOrEqualTo(1 << 20);
        }
        for (int i = 0; i < 200 && !RestAssured.given().get("/api/images/imports").jsonPath().getList("$").isEmpty(); i++) {
            Thread.sleep(50);
        }
        assertThat(RestAssured.given().get("/api/images/imports").jsonPath().getList("$")).isEmpty();
        assertThat(WriteGuardTest.files()).as("a cut upload leaves nothing").isEqualTo(before);
        assertThat(RestAssured.given().get("/api/images/cut").statusCode()).isEqualTo(404);

        // every status met is documented for this operation
        Map<String, Object> op = RestAssured.given().accept("application/json").get("/q/openapi?format=json").jsonPath()
                .getMap("paths.'/api/images/{name}'.put.responses");
        assertThat(statuses).containsExactlyInAnyOrder(201, 400, 401, 409, 413, 415);
        for (int s : statuses) {
            assertThat(op).as("PUT /api/images/{name} documents %d", s).containsKey(String.valueOf(s));
        }
        try (var s = Files.walk(work)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }

    /** qemu-img -p percentages as qemu-img prints them (CR-separated). */
    @Test
    void conversionPercentages() {
        assertThat(ImageConversion.percent("    (0.00/100%)")).isZero();
        assertThat(ImageConversion.percent("    (12.50/100%)\r    (37.01/100%)")).isEqualTo(37.01);
        assertThat(ImageConversion.percent("")).isEqualTo(-1);
    }

}
