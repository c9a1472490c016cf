package io.chainboot.script.assets;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/** /assets against the real client: curl's -r, -I and conditional requests on the running test server. */
@QuarkusTest
class AssetRouteTest {
    static final Path ROOT = Path.of("target/test-assets");
    static byte[] data;

    @TestHTTPResource("/assets/")
    URL assets;

    @BeforeAll
    static void files() throws Exception {
        Files.createDirectories(ROOT.resolve("winpe/amd64/sources"));
        data = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(data);
        Files.write(ROOT.resolve("winpe/amd64/sources/boot.wim"), data);
        Files.writeString(ROOT.resolve("hello.txt"), "hello\n");
        Files.writeString(ROOT.resolve(".hidden"), "no");
    }

    /** Runs curl and returns [status line digits, body bytes]. */
    static byte[] curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "--path-as-is"));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertThat(p.waitFor()).as("curl exit").isZero();
        return out.toByteArray();
    }

    static String status(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("-o", "/dev/null", "-w", "%{http_code}"));
        a.addAll(Arrays.asList(args));
        return new String(curl(a.toArray(String[]::new)));
    }

    @Test
    void curlRangesGetTheRightBytes() throws Exception {
        String url = assets + "winpe/amd64/sources/boot.wim";
        assertThat(curl("-r", "100-199", url)).isEqualTo(Arrays.copyOfRange(data, 100, 200));
        assertThat(curl("-r", "-500", url)).isEqualTo(Arrays.copyOfRange(data, data.length - 500, data.length));
        assertThat(curl("-r", "3000000-", url)).isEqualTo(Arrays.copyOfRange(data, 3000000, data.length));
        assertThat(curl("-r", "0-0", url)).isEqualTo(Arrays.copyOfRange(data, 0, 1));
        assertThat(curl(url)).isEqualTo(data);
        assertThat(status("-r", "100-199", url)).isEqualTo("206");
    }

    @Test
    void rangeHeadersAndUnsatisfiableRanges() {
        given().header("Range", "bytes=10-19").get("/assets/winpe/amd64/sources/boot.wim").then().statusCode(206)
                .header("Content-Range", "bytes 10-19/" + data.length).header("Content-Length", "10");
        given().header("Range", "bytes=" + data.length + "-").get("/assets/winpe/amd64/sources/boot.wim").then().statusCode(416)
                .header("Content-Range", "bytes */" + data.length);
        given().header("Range", "bytes=9-3").get("/assets/hello.txt").then().statusCode(416);
    }

    @Test
    void headHasTheHeadersAndNoBody() throws Exception {
        String head = new String(curl("-I", assets + "hello.txt"));
        assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 6")
                .containsIgnoringCase("accept-ranges: bytes").containsIgnoringCase("etag: \"")
                .containsIgnoringCase("last-modified: ");
        assertThat(new String(curl("-I", "-r", "1-2", assets + "hello.txt"))).startsWith("HTTP/1.1 206")
                .containsIgnoringCase("content-length: 2").containsIgnoringCase("content-range: bytes 1-2/6");
    }

    @Test
    void conditionalRequests() {
        var ok = given().get("/assets/hello.txt").then().statusCode(200).body(equalTo("hello\n"))
                .header("ETag", notNullValue()).extract();
        String etag = ok.header("ETag");
        String lastModified = ok.header("Last-Modified");
        given().header("If-None-Match", etag).get("/assets/hello.txt").then().statusCode(304);
        given().header("If-None-Match", "\"other\", W/" + etag).get("/assets/hello.txt").then().statusCode(304);
        given().header("If-None-Match", "\"other\"").get("/assets/hello.txt").then().statusCode(200);
        given().header("If-Modified-Since", lastModified).get("/assets/hello.txt").then().statusCode(304);
        given().header("If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT").get("/assets/hello.txt").then().statusCode(200);
        given().header("Range", "bytes=0-1").header("If-Range", "\"stale\"").get("/assets/hello.txt").then().statusCode(200)
                .body(equalTo("hello\n"));
        given().header("Range", "bytes=0-1").header("If-Range", etag).get("/assets/hello.txt").then().statusCode(206)
                .body(equalTo("he"));
    }

    @Test
    void traversalAndHiddenFilesAre404() throws Exception {
        String base = assets.toString();
        for (String bad : new String[]{"../application.properties", "%2e%2e/application.properties",
                "winpe/../../application.properties", "..%2f..%2fpom.xml", ".hidden", "winpe", "nope"}) {
            assertThat(status(base + bad)).as(bad).isIn("404", "400");
        }
        // a write is refused whatever the path: without the cluster secret the write guard answers 401 first
        assertThat(status("-X", "POST", base + "hello.txt")).isIn("401", "404", "405");
    }
}
