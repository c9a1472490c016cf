package io.chainboot.script.api;

import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.script.profile.ProfileCatalog;
import io.chainboot.script.testing.FixedMachines;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * The profile write API over real HTTP against a real profiles directory: PUT creates and
 * replaces files, PATCH merges, DELETE removes or refuses; every bad document is a 4xx problem
 * naming the field with nothing written (the directory's listing and bytes are compared); no
 * cluster secret is 401 with nothing written; and a second catalog on the same directory — another
 * replica — sees each write at its next scan.
 */
@QuarkusTest
@TestProfile(ProfileWriteApiTest.OwnDirectory.class)
class ProfileWriteApiTest {
    static final Path DIR = Path.of("target", "profile-write-api");
    static final String SECRET = "cluster-secret-for-tests";
    static final MacAddress USER = MacAddress.parse("52:54:00:aa:16:01");

    public static class OwnDirectory implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(DIR);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.of("chainboot.script.profiles-dir", DIR.toString(), "chainboot.script.profiles-scan", "0");
        }
    }

    @Inject
    FixedMachines machines;

    static RequestSpecification admin() {
        return given().auth().oauth2(SECRET).header("X-Chainboot-Caller", "test admin (tok_1)");
    }

    @BeforeEach
    void emptyDirectory() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        admin().post("/api/profiles/reload").then().statusCode(200);
        machines.clear();
    }

    /** Every file of the directory with its bytes: what "nothing written" compares. */
    static Map<String, String> onDisk() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            Map<String, String> out = new java.util.TreeMap<>();
            for (Path f : files.toList()) {
                out.put(f.getFileName().toString(), Files.readString(f));
            }
            return out;
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static Response putYaml(String name, String yaml) {
        return admin().contentType("application/yaml").body(bytes(yaml)).put("/api/profiles/" + name);
    }

    @Test
    void putCreatesAFileKeepingTheDocumentThenReplacesIt() throws IOException {
        String doc = "# the lab's installer\nname: lab-debian\nkind: linux\ndescription: Debian for the lab\nparams:\n  kernel: debian/linux\n";
        putYaml("lab-debian", doc).then().statusCode(201).header("Location", org.hamcrest.Matchers.endsWith("/api/profiles/lab-debian"))
                .body("name", equalTo("lab-debian")).body("kind", equalTo("linux")).body("params.kernel", equalTo("debian/linux"));
        assertThat(onDisk()).containsExactly(Map.entry("lab-debian.yaml", doc));
        given().get("/api/profiles/lab-debian").then().statusCode(200).body("description", equalTo("Debian for the lab"));
        given().get("/api/profiles/lab-debian/document").then().statusCode(200).contentType("application/yaml").body(equalTo(doc));
        String script = given().get("/api/preview/52:54:00:aa:16:09?profile=lab-debian").asString();
        assertThat(script).contains("kernel ").contains("debian/linux");

        putYaml("lab-debian", "name: lab-debian\nkind: chain\nparams: {url: 'http://10.0.0.1/x.ipxe'}\n").then().statusCode(200)
                .body("kind", equalTo("chain"));
        assertThat(onDisk()).containsOnlyKeys("lab-debian.yaml");
        given().get("/api/profiles/lab-debian").then().body("kind", equalTo("chain")).body("description", nullValue());
    }

    @Test
    void aJsonBodyOrOneWithoutANameIsWrittenAsYamlUnderThePathsName() throws IOException {
        admin().contentType("application/json").body("{\"kind\":\"local\",\"description\":\"exit to disk\"}")
                .put("/api/profiles/plain-local").then().statusCode(201).body("name", equalTo("plain-local"));
        String written = onDisk().get("plain-local.yaml");
        assertThat(written).startsWith("name: plain-local\n").contains("kind: local").contains("description: exit to disk");
    }

    @Test
    void everyBadDocumentIsA4xxNamingTheFieldAndNothingIsWritten() throws IOException {
        putYaml("keep", "name: keep\nkind: local\n").then().statusCode(201);
        Map<String, String> before = onDisk();
        record Bad(String name, String type, String body, int status, String field) {
        }
        List<Bad> bad = List.of(
                new Bad("x", "application/yaml", "name: x\nkind: floppy\n", 400, "kind"),
                new Bad("x", "application/yaml", "name: x\nkind: local\nkernal: k\n", 400, "kernal"),
                new Bad("x", "application/yaml", "name: x\nkind: local\ntemplate: \"{#if}\"\n", 400, "template"),
                new Bad("x", "application/yaml", "name: x\nkind: linux\nparams: {kernel: k, cmdline: \"{#for}\"}\n", 400, "params.cmdline"),
                new Bad("x", "application/yaml", "name: x\nkind: linux\n", 400, "params.kernel"),
                new Bad("x", "application/yaml", "name: x\nkind: chain\nparams: {url: \"a\\nshell\"}\n", 400, "params.url"),
                new Bad("x", "application/yaml", "name: x\nkind: menu\nitems: [{profile: ghost}]\n", 400, "items"),
                new Bad("x", "application/yaml", "name: x\nkind: local\npriority: high\n", 400, "priority"),
                new Bad("x", "application/yaml", "name: y\nkind: local\n", 400, "name"),
                new Bad("x", "application/yaml", "name: x\nname: x\nkind: local\n", 400, null),
                new Bad("x", "application/yaml", "name: [\n", 400, null),
                new Bad("x", "application/yaml", "- a list\n", 400, null),
                new Bad("x", "application/json", "{\"kind\":", 400, null),
                new Bad("a.b", "application/yaml", "kind: local\n", 400, "name"),
                new Bad("UPPER", "application/yaml", "kind: local\n", 400, "name"),
                // ".." is a dot segment: the URL is /api/, no such write (RFC 3986 §5.2.4), still nothing written
                new Bad("..", "application/yaml", "kind: local\n", 404, null),
                new Bad("..%2Fetc%2Fpasswd", "application/yaml", "kind: local\n", 400, "name"),
                new Bad("x%5C..%5Cy", "application/yaml", "kind: local\n", 400, "name"),
                new Bad("keep", "application/yaml", "name: keep\nkind: linux\n", 400, "params.kernel"),
                new Bad("x", "application/yaml", "name: x\nkind: local\ndescription: \"" + "d".repeat(70_000) + "\"\n", 413, null),
                new Bad("x", "application/octet-stream", "name: x\nkind: local\n", 415, null));
        for (Bad b : bad) {
            Response r = admin().urlEncodingEnabled(false).contentType(b.type()).body(bytes(b.body())).put("/api/profiles/" + b.name());
            assertThat(r.statusCode()).as("%s %s", b.name(), b.body()).isEqualTo(b.status());
            if (b.status() != 415) {
                assertThat(r.contentType()).as(b.body()).startsWith("application/problem+json");
                assertThat(r.jsonPath().getString("field")).as(b.body()).isEqualTo(b.field());
                assertThat(r.jsonPath().getString("type")).as(b.body()).isEqualTo(switch (b.status()) {
                    case 413 -> "urn:chainboot:problem:too-large";
                    case 404 -> "urn:chainboot:problem:not-found";
                    default -> b.field() == null ? "urn:chainboot:problem:malformed-body" : "urn:chainboot:problem:invalid-field";
                });
            }
            assertThat(onDisk()).as("nothing written for %s", b.body()).isEqualTo(before);
        }
        given().get("/api/profiles/keep").then().body("kind", equalTo("local"));
        given().get("/api/profiles/x").then().statusCode(404);
    }

    @Test
    void withoutTheClusterSecretEveryWriteIs401AndNothingChanges() throws IOException {
        putYaml("keep", "name: keep\nkind: local\n").then().statusCode(201);
        Map<String, String> before = onDisk();
        for (String token : new String[] {null, "wrong", SECRET + "x"}) {
            for (String method : List.of("PUT", "PATCH", "DELETE")) {
                for (String name : List.of("keep", "fresh")) {
                    RequestSpecification req = given().contentType(method.equals("PATCH") ? "application/merge-patch+json" : "application/yaml")
                            .body(bytes(method.equals("PATCH") ? "{\"kind\":\"chain\"}" : "name: " + name + "\nkind: chain\nparams: {url: http://x}\n"));
                    if (token != null) {
                        req.auth().oauth2(token);
                    }
                    Response r = req.request(method, "/api/profiles/" + name);
                    assertThat(r.statusCode()).as("%s %s with %s", method, name, token).isEqualTo(401);
                    assertThat(r.jsonPath().getString("type")).isEqualTo("urn:chainboot:problem:unauthorized");
                }
            }
        }
        assertThat(onDisk()).isEqualTo(before);
        given().get("/api/profiles/keep").then().body("kind", equalTo("local"));
    }

    @Test
    void patchMergesFieldsKeepsTheRestAndIsCheckedLikeAPut() throws IOException {
        putYaml("lab", "name: lab\nkind: linux\ndescription: old\nparams:\n  kernel: k\n  initrd: i\n").then().statusCode(201);
        Response ok = admin().contentType("application/merge-patch+json")
                .body(bytes("{\"description\":\"new\",\"params\":{\"initrd\":null,\"cmdline\":\"quiet\"},\"selector\":{\"room\":\"lab\"}}"))
                .patch("/api/profiles/lab");
        ok.then().statusCode(200).body("description", equalTo("new")).body("params.kernel", equalTo("k"))
                .body("params.cmdline", equalTo("quiet")).body("params.initrd", nullValue()).body("selector.room", equalTo("lab"));
        Map<String, String> before = onDisk();
        admin().contentType("application/merge-patch+json").body(bytes("{\"params\":{\"kernel\":null}}")).patch("/api/profiles/lab")
                .then().statusCode(400).body("field", equalTo("params.kernel"));
        admin().contentType("application/merge-patch+json").body(bytes("{\"name\":\"other\"}")).patch("/api/profiles/lab")
                .then().statusCode(400).body("field", equalTo("name"));
        admin().contentType("application/merge-patch+json").body(bytes("{\"kind\":\"tape\"}")).patch("/api/profiles/lab")
                .then().statusCode(400).body("field", equalTo("kind"));
        admin().contentType("application/merge-patch+json").body(bytes("[1]")).patch("/api/profiles/lab")
                .then().statusCode(400).body("type", equalTo("urn:chainboot:problem:malformed-body"));
        admin().contentType("application/merge-patch+json").body(bytes("{\"description\":\"x\"}")).patch("/api/profiles/nosuch")
                .then().statusCode(404);
        assertThat(onDisk()).isEqualTo(before);

        // a built-in patched: a file of its name replaces it, with the built-in's other fields
        admin().contentType("application/merge-patch+json").body(bytes("{\"description\":\"ours\"}")).patch("/api/profiles/local")
                .then().statusCode(200).body("description", equalTo("ours")).body("kind", equalTo("local"));
        assertThat(onDisk()).containsKey("local.yaml");
    }

    @Test
    void deleteRemovesTheFileOrRefusesWhatMachinesMenusOrTheDefaultNeed() throws IOException {
        putYaml("used", "name: used\nkind: local\n").then().statusCode(201);
        putYaml("offered", "name: offered\nkind: local\n").then().statusCode(201);
        putYaml("chooser", "name: chooser\nkind: menu\nitems: [{profile: offered}]\n").then().statusCode(201);
        putYaml("spare", "name: spare\nkind: local\n").then().statusCode(201);
        putYaml("sanboot", "name: sanboot\nkind: sanboot\ndescription: our own\n").then().statusCode(200);
        machines.put(new MachineSpec(USER, null, "user", null, "used", Map.of(), Map.of(), null, null, true, null, Instant.EPOCH));
        Map<String, String> before = onDisk();

        admin().delete("/api/profiles/used").then().statusCode(409).body("detail", org.hamcrest.Matchers.containsString(USER.toString()));
        admin().delete("/api/profiles/offered").then().statusCode(409).body("detail", org.hamcrest.Matchers.containsString("menu chooser"));
        admin().delete("/api/profiles/local").then().statusCode(409).body("detail", org.hamcrest.Matchers.containsString("built in"));
        admin().delete("/api/profiles/nosuch").then().statusCode(404);
        admin().urlEncodingEnabled(false).delete("/api/profiles/a.b").then().statusCode(400).body("field", equalTo("name"));
        assertThat(onDisk()).isEqualTo(before);

        admin().delete("/api/profiles/spare").then().statusCode(200).body("file", equalTo("spare.yaml")).body("builtinAgain", nullValue());
        given().get("/api/profiles/spare").then().statusCode(404);
        // machines use the built-in sanboot again: allowed, and said
        admin().delete("/api/profiles/sanboot").then().statusCode(200).body("builtinAgain.source", equalTo("builtin:sanboot.yaml"));
        given().get("/api/profiles/sanboot").then().statusCode(200).body("description", org.hamcrest.Matchers.not(equalTo("our own")));
        assertThat(onDisk()).containsOnlyKeys("used.yaml", "offered.yaml", "chooser.yaml");
    }

    @Test
    void anotherReplicaOnTheSameDirectorySeesEveryWriteAtItsNextScan() throws IOException {
        ProfileCatalog other = new ProfileCatalog(DIR, 0, true);
        assertThat(other.current().get("shared")).isEmpty();
        putYaml("shared", "name: shared\nkind: local\ndescription: one\n").then().statusCode(201);
        other.reloadIfChanged();
        assertThat(other.current().get("shared")).map(p -> p.description()).contains("one");
        // the same size, at once: the file's identity changed (a new file renamed into place)
        putYaml("shared", "name: shared\nkind: local\ndescription: two\n").then().statusCode(200);
        other.reloadIfChanged();
        assertThat(other.current().get("shared")).map(p -> p.description()).contains("two");
        admin().delete("/api/profiles/shared").then().statusCode(200);
        other.reloadIfChanged();
        assertThat(other.current().get("shared")).isEmpty();
    }
}
