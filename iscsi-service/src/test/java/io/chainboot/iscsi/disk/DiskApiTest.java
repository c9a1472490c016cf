package io.chainboot.iscsi.disk;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The disk REST API in the running service: import by path and by upload, disks, preflight, errors. */
@QuarkusTest
@TestProfile(DiskApiProfile.class)
class DiskApiTest {

    @AfterAll
    static void cleanUp() throws Exception {
        try (var s = Files.walk(DiskApiProfile.DIR)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static io.restassured.specification.RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + DiskApiProfile.SECRET);
    }

    @Test
    void imagesAndDisksLifecycle() throws Exception {
        Files.createDirectories(DiskApiProfile.DIR.resolve("import"));
        Path src = Disks.goldenImage(DiskApiProfile.DIR.resolve("import/src.raw"), 2048);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(src)));

        admin().post("/api/images/base?path=src.raw").then().statusCode(201)
                .body("name", is("base")).body("sha256", is(sha)).body("sizeBytes", is(2048 * 512));
        admin().post("/api/images/base?path=" + src).then().statusCode(409).body("detail", containsString("exists"));
        admin().post("/api/images/..%2Fx?path=" + src).then().statusCode(400);

        byte[] upload = Files.readAllBytes(src);
        upload[0] ^= 1;
        admin().contentType("application/octet-stream").body(upload).put("/api/images/uploaded").then().statusCode(201)
                .body("sha256", is(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload))));
        given().get("/api/images").then().statusCode(200).body("name", hasItem("uploaded"));

        admin().contentType("application/json").body("{\"kind\":\"OVERLAY\",\"image\":\"base\"}")
                .post("/api/disks/52:54:00:12:34:56").then().statusCode(201)
                .body("kind", is("OVERLAY")).body("image", is("base")).body("sizeBytes", is(2048 * 512));
        given().get("/api/images").then().body("find { it.name == 'base' }.users", hasItem("52-54-00-12-34-56"));
        admin().post("/api/disks/52:54:00:12:34:56/snapshots/s1").then().statusCode(201);
        admin().post("/api/disks/52:54:00:12:34:56/snapshots/s2").then().statusCode(201);
        admin().delete("/api/disks/52:54:00:12:34:56/snapshots/s2").then().statusCode(204);
        admin().delete("/api/disks/52:54:00:12:34:56/snapshots/s2").then().statusCode(404);
        given().get("/api/disks").then().statusCode(200).body("mac", hasItem("52:54:00:12:34:56"))
                .body("find { it.mac == '52:54:00:12:34:56' }.snapshots", equalTo(java.util.List.of("s1")));
        admin().post("/api/disks/52:54:00:12:34:56/reset").then().statusCode(204);
        admin().post("/api/disks/52:54:00:12:34:56/promote?image=base2").then().statusCode(201).body("name", is("base2"));
        given().get("/api/disks/52:54:00:12:34:56").then().statusCode(200).body("snapshots", hasItem("s1"));

        // an unknown machine fails its preflight with the reason, not an error page
        given().get("/api/disks/52:54:00:12:34:56/preflight").then().statusCode(200)
                .body("status", is("FAIL")).body("checks[0].name", is("machine"));
        given().get("/api/disks/not-a-mac/preflight").then().statusCode(400);

        admin().delete("/api/images/base").then().statusCode(409).body("detail", containsString("used by"));
        admin().delete("/api/disks/52:54:00:12:34:56").then().statusCode(204);
        admin().delete("/api/disks/52:54:00:12:34:56").then().statusCode(404);
        admin().delete("/api/images/base").then().statusCode(204);
        assertThat(Files.exists(DiskApiProfile.DIR.resolve("images/base.img"))).isFalse();
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/disks/{mac}/preflight"));
    }
}
