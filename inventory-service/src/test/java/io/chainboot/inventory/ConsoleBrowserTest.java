package io.chainboot.inventory;

import io.chainboot.infra.testing.KafkaResource;
import io.chainboot.infra.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real headless Chromium (Debian {@code chromium} + {@code chromium-driver},
 * Selenium 4.27.0) against this module's running inventory (real Kafka, real PostgreSQL): each
 * action through the UI — assign a profile, edit labels, turn CHAP on, reset and snapshot a
 * disk, import an image, validate, create, edit and delete a profile, delete a machine — is confirmed in the page's dialog
 * and changes what the API then reports; a cancelled one changes nothing; a viewer token sees
 * every write control disabled, and a control forced on by script is refused 403 by the API.
 * Changes made through the API by someone else show on the open page without a reload.
 * iscsi-service and script-service are {@link UpstreamFake} (a seeded disk behaves like
 * iscsi-service's in memory; profile validation is a stand-in). Screenshots of every page go
 * to {@code target/console-screenshots/}.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(UpstreamFake.class)
class ConsoleBrowserTest {
    static final String MAC = "52:54:00:c0:00:01";
    static final String DOOMED = "52:54:00:c0:00:02";
    static final String OTHER = "52:54:00:c0:00:03";
    static final Path SHOTS = Path.of("target", "console-screenshots");

    @TestHTTPResource("/")
    URL page;
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    WebDriver driver;
    Path profile;
    WebDriverWait wait;

    @BeforeEach
    void browser() throws IOException {
        profile = Files.createTempDirectory("cb-console-chromium");
        ChromeOptions options = new ChromeOptions();
        String binary = System.getProperty("chromium.binary", "/usr/bin/chromium");
        String chromedriver = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");
        assertThat(new File(binary)).as("Chromium: install the Debian package 'chromium'").exists();
        assertThat(new File(chromedriver)).as("chromedriver: install the Debian package 'chromium-driver'").exists();
        options.setBinary(binary);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(chromedriver))
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1400, 1000));
        wait = new WebDriverWait(driver, Duration.ofSeconds(15), Duration.ofMillis(50));
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void close() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static String token(String name, String role) {
        return given().auth().oauth2("test-token").contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}").post("/api/tokens")
                .then().statusCode(201).extract().path("token");
    }

    static JsonPath machine(String mac) {
        return given().get("/api/machines/" + mac).then().statusCode(200).extract().jsonPath();
    }

    static void create(String body) {
        given().auth().oauth2("test-token").contentType(ContentType.JSON).body(body).post("/api/machines").then().statusCode(201);
    }

    @Test
    void everyActionThroughTheConsoleChangesWhatTheApiReportsAndAViewerCannotDoThem() throws Exception {
        UpstreamFake.seedDisk(MAC, "OVERLAY", "win11", 64L << 20, 12L << 20);
        create("{\"mac\":\"" + MAC + "\",\"hostname\":\"console-1\",\"profile\":\"local\",\"labels\":{\"room\":\"a1\"},"
                + "\"disk\":{\"kind\":\"OVERLAY\",\"image\":\"win11\"}}");
        create("{\"mac\":\"" + DOOMED + "\",\"hostname\":\"doomed\",\"labels\":{\"room\":\"z9\"}}");
        create("{\"mac\":\"" + OTHER + "\",\"hostname\":\"other\"}");
        // two boot attempts of the machine: a full one ten minutes ago, and one that failed at TFTP now
        io.chainboot.events.MacAddress m = io.chainboot.events.MacAddress.parse(MAC);
        io.chainboot.events.Ipv4Address ip = io.chainboot.events.Ipv4Address.parse("10.4.0.2");
        try (org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrap)) {
            KafkaClients.send(producer, Events.fullBoot(m, ip, java.time.Instant.now().minusSeconds(600), "sanboot"));
            KafkaClients.send(producer, List.of(Events.offered(m, ip, io.chainboot.events.ClientKind.FIRMWARE, java.time.Instant.now()),
                    Events.acked(m, ip, io.chainboot.events.ClientKind.FIRMWARE, java.time.Instant.now()),
                    Events.tftpFailed(m, ip, java.time.Instant.now())));
        }
        until(() -> given().get("/api/machines/" + MAC + "/boots").jsonPath().getList("stage"), List.of("FAILED", "OS_RUNNING"));
        String admin = token("console admin", "admin");
        String viewer = token("console viewer", "viewer");

        // ---- a viewer: sees everything, every write control disabled, and the API refuses a forced one
        driver.get(page + "#/machines");
        useToken(viewer);
        wait.until(d -> d.findElement(By.id("whoami")).getText().contains("(viewer)"));
        row(MAC);
        go("#/machine/" + MAC);
        wait.until(d -> d.findElement(By.id("machine-title")).getText().contains("console-1"));
        wait.until(d -> d.findElement(By.id("disk-info")).getAttribute("data-used") != null);
        for (String id : List.of("spec-save", "machine-delete", "spec-hostname", "spec-profile", "spec-chap", "disk-reset",
                "disk-snapshot", "disk-promote", "label-add")) {
            assertThat(driver.findElement(By.id(id)).isEnabled()).as("%s for a viewer", id).isFalse();
        }
        assertThat(driver.findElements(By.cssSelector("[data-write]"))).allMatch(e -> !e.isEnabled());
        shot("viewer-machine");
        js("document.getElementById('machine-delete').disabled = false");
        click(By.id("machine-delete"));
        confirm(true);
        wait.until(d -> d.findElement(By.id("toast")).getText().contains("403"));
        assertThat(machine(MAC).getString("hostname")).isEqualTo("console-1");
        go("#/disks");
        wait.until(d -> !d.findElements(By.cssSelector("#disks tr[data-disk='" + MAC + "'] button")).isEmpty());
        assertThat(driver.findElements(By.cssSelector("#disks button"))).allMatch(e -> !e.isEnabled());
        go("#/profiles");
        wait.until(d -> d.findElements(By.cssSelector("#profiles tbody tr")).size() == UpstreamFake.PROFILES.size());
        assertThat(driver.findElement(By.id("profile-save")).isEnabled()).isFalse();
        js("document.getElementById('profile-save').disabled = false; document.getElementById('profile-name').value = 'by-viewer';"
                + "document.getElementById('profile-yaml').value = 'kind: local'");
        click(By.id("profile-save"));
        confirm(true);
        wait.until(d -> d.findElement(By.id("toast")).getText().contains("403"));
        given().get("/api/profiles/by-viewer").then().statusCode(404);
        assertThat(UpstreamFake.RECEIVED).noneMatch(l -> l.startsWith("PUT /api/profiles/"));
        // an image upload forced on by a viewer: 403, nothing reaches iscsi-service
        Path upload = Files.createTempFile("cb-console-upload", ".raw");
        byte[] image = new byte[3 << 20];
        new java.util.Random(7).nextBytes(image);
        Files.write(upload, image);
        go("#/images");
        wait.until(d -> !d.findElements(By.cssSelector("#images tr[data-image='win11']")).isEmpty());
        assertThat(driver.findElement(By.id("upload-start")).isEnabled()).isFalse();
        assertThat(driver.findElement(By.id("upload-file")).isEnabled()).isFalse();
        js("document.getElementById('upload-start').disabled = false; document.getElementById('upload-file').disabled = false;");
        driver.findElement(By.id("upload-file")).sendKeys(upload.toAbsolutePath().toString());
        click(By.id("upload-start"));
        assertThat(confirm(true)).contains("PUT /api/images/cb-console-upload");
        wait.until(d -> !d.findElements(By.cssSelector("#upload-result [data-upload-failed]")).isEmpty());
        assertThat(driver.findElement(By.id("upload-result")).getText()).contains("403");
        assertThat(UpstreamFake.RECEIVED).noneMatch(l -> l.startsWith("PUT /api/images/"));
        assertThat(given().get("/api/images").jsonPath().getList("name", String.class)).noneMatch(n -> n.startsWith("cb-console-upload"));

        // ---- an admin
        useToken(admin);
        wait.until(d -> d.findElement(By.id("whoami")).getText().contains("console admin (admin)"));
        go("#/machines");
        WebElement search = driver.findElement(By.id("machine-search"));
        search.sendKeys("room=a1");
        wait.until(d -> row(MAC).isDisplayed() && !row(DOOMED).isDisplayed());
        assertThat(row(OTHER).isDisplayed()).isFalse();
        assertThat(driver.findElement(By.id("machine-count")).getText()).startsWith("1 of ");
        shot("machines-search");
        search.clear();
        js("document.getElementById('machine-search').dispatchEvent(new Event('input'))");
        wait.until(d -> row(DOOMED).isDisplayed());
        shot("machines");

        row(MAC).click();
        wait.until(d -> d.getCurrentUrl().endsWith("#/machine/" + MAC));
        wait.until(d -> d.findElement(By.id("machine-title")).getText().contains("console-1"));
        wait.until(d -> d.findElement(By.id("spec-save")).isEnabled());

        // assign a profile
        new Select(driver.findElement(By.id("spec-profile"))).selectByValue("sanboot");
        click(By.id("spec-save"));
        assertThat(confirm(true)).contains("PATCH /api/machines/" + MAC).contains("\"profile\": \"sanboot\"");
        until(() -> machine(MAC).getString("profile"), "sanboot");
        // the page refills its form from the answer to the PATCH: typing before that lands in a form
        // about to be rebuilt (the API can show the change before the browser has read the answer)
        wait.until(d -> "sanboot".equals(js("return shownSpec && shownSpec.profile")));

        // edit labels: change one, add one
        WebElement value = driver.findElement(By.cssSelector("#spec-labels tr.label .label-value"));
        value.clear();
        value.sendKeys("b12");
        click(By.id("label-add"));
        List<WebElement> keys = driver.findElements(By.cssSelector("#spec-labels tr.label .label-key"));
        keys.get(keys.size() - 1).sendKeys("rack");
        List<WebElement> values = driver.findElements(By.cssSelector("#spec-labels tr.label .label-value"));
        values.get(values.size() - 1).sendKeys("r3");
        click(By.id("spec-save"));
        confirm(true);
        until(() -> machine(MAC).getMap("spec.labels"), Map.of("room", "b12", "rack", "r3"));

        // turn CHAP on
        assertThat(driver.findElement(By.id("spec-chap")).isSelected()).isFalse();
        click(By.id("spec-chap"));
        click(By.id("spec-save"));
        confirm(true);
        until(() -> machine(MAC).getBoolean("spec.chap.enabled"), true);

        // a cancelled action changes nothing
        click(By.id("machine-delete"));
        confirm(false);
        assertThat(machine(MAC).getString("mac")).isEqualTo(MAC);

        // reset the overlay, then a snapshot with a name typed in the dialog
        wait.until(d -> "12582912".equals(d.findElement(By.id("disk-info")).getAttribute("data-used")));
        click(By.id("disk-reset"));
        assertThat(confirm(true)).contains("POST /api/disks/" + MAC + "/reset");
        until(() -> given().get("/api/disks/" + MAC).jsonPath().getLong("usedBytes"), 0L);
        wait.until(d -> "0".equals(d.findElement(By.id("disk-info")).getAttribute("data-used")));
        click(By.id("disk-snapshot"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-input")));
        WebElement name = driver.findElement(By.id("confirm-input"));
        name.clear();
        name.sendKeys("before-test");
        assertThat(confirm(true)).contains("POST /api/disks/" + MAC + "/snapshots/before-test");
        until(() -> given().get("/api/disks/" + MAC).jsonPath().getList("snapshots"), List.of("before-test"));
        wait.until(d -> !d.findElements(By.cssSelector("#disk-snapshots li[data-snapshot='before-test']")).isEmpty());

        // the boot attempts as a timeline: one bar per attempt, one segment per stage; the latest's events as words
        wait.until(d -> d.findElements(By.cssSelector("#attempts .attempt")).size() == 2);
        assertThat(driver.findElements(By.cssSelector("#attempts .attempt")).get(1).findElements(By.cssSelector(".seg")))
                .extracting(e -> e.getAttribute("data-stage"))
                .containsExactly("PXE_DHCP", "FIRMWARE_LOADED", "IPXE_DHCP", "SCRIPT", "SAN_ATTACHED", "OS_RUNNING");
        assertThat(driver.findElements(By.cssSelector("#attempts .attempt")).get(0).getAttribute("class")).contains("FAILED");
        driver.findElements(By.cssSelector("#attempts .attempt")).get(1).click();
        wait.until(d -> d.findElements(By.cssSelector("#timeline-events tr.event")).size() >= 9);
        for (WebElement details : driver.findElements(By.cssSelector("#timeline-events tr.event td:last-child"))) {
            assertThat(details.findElements(By.cssSelector("dl.fields dt"))).as("event details as fields").isNotEmpty();
            assertThat(details.getText()).as("not raw JSON").doesNotContain("{\"");
        }
        js("document.getElementById('timeline').scrollIntoView()");
        shot("machine-timeline");

        // live: a change through the API by someone else shows without a reload
        given().auth().oauth2("test-token").contentType("application/merge-patch+json").body("{\"hostname\":\"renamed-by-api\"}")
                .patch("/api/machines/" + MAC).then().statusCode(200);
        wait.until(d -> d.findElement(By.id("machine-title")).getText().contains("renamed-by-api"));
        wait.until(d -> "renamed-by-api".equals(d.findElement(By.id("spec-hostname")).getAttribute("value")));
        shot("machine");

        // delete a machine through the console
        go("#/machine/" + DOOMED);
        wait.until(d -> d.findElement(By.id("machine-title")).getText().contains("doomed"));
        click(By.id("machine-delete"));
        confirm(true);
        wait.until(d -> d.getCurrentUrl().endsWith("#/machines"));
        given().get("/api/machines/" + DOOMED).then().statusCode(404);
        wait.until(d -> d.findElements(By.id(rowId(DOOMED))).isEmpty());
        // and one deleted through the API leaves the open list live
        given().auth().oauth2("test-token").delete("/api/machines/" + OTHER).then().statusCode(204);
        wait.until(d -> d.findElements(By.id(rowId(OTHER))).isEmpty());
        wait.until(d -> row(MAC).findElement(By.className("host")).getText().equals("renamed-by-api"));

        // images: which machines use each; import from the import directory
        go("#/images");
        // the row is looked up inside each wait: the page re-renders it when its data arrives
        By win11 = By.cssSelector("#images tr[data-image='win11']");
        wait.ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElement(win11).findElement(By.className("assigned")).getText().contains(MAC)
                        && d.findElement(win11).findElement(By.className("users")).getText().contains(MAC));
        driver.findElement(By.id("import-name")).sendKeys("lab-image");
        driver.findElement(By.id("import-path")).sendKeys("lab-image.raw");
        click(By.id("import-start"));
        assertThat(confirm(true)).contains("POST /api/images/lab-image?path=lab-image.raw");
        wait.until(d -> !d.findElements(By.cssSelector("#import-result [data-imported]")).isEmpty());
        assertThat(UpstreamFake.RECEIVED).anyMatch(l -> l.startsWith("POST /api/images/lab-image?path=lab-image.raw | Bearer "
                + UpstreamFake.SECRET + " | console admin (tok_"));
        // upload a file through the page: the progress bar fills, the API lists the image with its size and SHA-256
        driver.navigate().refresh();
        wait.until(d -> !d.findElements(By.cssSelector("#images tr[data-image='win11']")).isEmpty());
        driver.findElement(By.id("upload-file")).sendKeys(upload.toAbsolutePath().toString());
        wait.until(d -> d.findElement(By.id("upload-name")).getAttribute("value").startsWith("cb-console-upload"));
        driver.findElement(By.id("upload-name")).clear();
        driver.findElement(By.id("upload-name")).sendKeys("lab-upload");
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(image));
        driver.findElement(By.id("upload-sha")).sendKeys(sha);
        click(By.id("upload-start"));
        assertThat(confirm(true)).contains("PUT /api/images/lab-upload?sha256=" + sha).contains("3.0 MiB");
        wait.until(d -> !d.findElements(By.cssSelector("#upload-result [data-uploaded='lab-upload']")).isEmpty());
        assertThat(driver.findElement(By.id("upload-bar")).getAttribute("value")).isEqualTo("100");
        assertThat(driver.findElement(By.id("upload-bar")).getAttribute("data-sent")).isEqualTo(String.valueOf(image.length));
        JsonPath listed = given().get("/api/images").jsonPath();
        assertThat(listed.getLong("find { it.name == 'lab-upload' }.sizeBytes")).isEqualTo(image.length);
        assertThat(listed.getString("find { it.name == 'lab-upload' }.sha256")).isEqualTo(sha);
        assertThat(UpstreamFake.RECEIVED).anyMatch(l -> l.startsWith("PUT /api/images/lab-upload?sha256=" + sha + " | Bearer "
                + UpstreamFake.SECRET + " | console admin (tok_"));
        wait.until(d -> !d.findElements(By.cssSelector("#images tr[data-image='lab-upload']")).isEmpty());
        Files.delete(upload);
        shot("images");

        // profiles: listed, one opened, a document validated
        go("#/profiles");
        wait.until(d -> d.findElements(By.cssSelector("#profiles tbody tr")).size() == UpstreamFake.PROFILES.size());
        wait.ignoring(StaleElementReferenceException.class).until(d -> {
            d.findElement(By.cssSelector("#profiles tr[data-profile='sanboot']")).click(); // re-found if the list re-rendered
            return true;
        });
        wait.until(d -> d.findElement(By.id("profile-detail")).getText().contains(MAC));
        driver.findElement(By.id("profile-yaml")).sendKeys("name: lab\nkind: linux\n");
        click(By.id("profile-validate"));
        confirm(true);
        wait.until(d -> "true".equals(d.findElement(By.id("profile-result")).getAttribute("data-valid")));
        driver.findElement(By.id("profile-yaml")).clear();
        driver.findElement(By.id("profile-yaml")).sendKeys("just words");
        click(By.id("profile-validate"));
        confirm(true);
        wait.until(d -> d.findElement(By.id("profile-result")).getText().contains("Not valid: 422"));

        // create a profile in the editor, then edit it, then delete it; a bad kind is refused and changes nothing
        click(By.id("profile-new"));
        driver.findElement(By.id("profile-name")).sendKeys("lab-net");
        driver.findElement(By.id("profile-yaml")).sendKeys("kind: chain\ndescription: lab chain\nparams:\n  url: http://10.0.0.1/lab.ipxe\n");
        click(By.id("profile-save"));
        assertThat(confirm(true)).contains("PUT /api/profiles/lab-net").contains("kind: chain");
        until(() -> given().get("/api/profiles/lab-net").then().extract().statusCode(), 200);
        assertThat(given().get("/api/profiles/lab-net").jsonPath().getString("description")).isEqualTo("lab chain");
        wait.until(d -> !d.findElements(By.cssSelector("#profiles tr[data-profile='lab-net']")).isEmpty());
        wait.until(d -> "lab-net".equals(d.findElement(By.id("profile-detail")).getAttribute("data-profile")));
        click(By.id("profile-edit"));
        wait.until(d -> d.findElement(By.id("profile-yaml")).getAttribute("value").contains("description: lab chain"));
        assertThat(driver.findElement(By.id("profile-editor-title")).getText()).isEqualTo("Edit profile lab-net");
        js("const t = document.getElementById('profile-yaml'); t.value = t.value.replace('lab chain', 'edited in the console')");
        click(By.id("profile-save"));
        assertThat(confirm(true)).contains("PUT /api/profiles/lab-net").contains("edited in the console");
        until(() -> given().get("/api/profiles/lab-net").jsonPath().getString("description"), "edited in the console");
        js("const t = document.getElementById('profile-yaml'); t.value = t.value.replace('kind: chain', 'kind: floppy')");
        click(By.id("profile-save"));
        confirm(true);
        wait.until(d -> d.findElement(By.id("profile-result")).getText().contains("Not saved: 400 kind:"));
        assertThat(given().get("/api/profiles/lab-net").jsonPath().getString("kind")).isEqualTo("chain");
        shot("profiles");
        click(By.cssSelector("#profiles tr[data-profile='lab-net']"));
        wait.until(d -> "lab-net".equals(d.findElement(By.id("profile-detail")).getAttribute("data-profile")));
        click(By.id("profile-delete"));
        assertThat(confirm(true)).contains("DELETE /api/profiles/lab-net");
        until(() -> given().get("/api/profiles/lab-net").then().extract().statusCode(), 404);
        wait.until(d -> d.findElements(By.cssSelector("#profiles tr[data-profile='lab-net']")).isEmpty());
        // a built-in cannot be deleted: its button says so
        click(By.cssSelector("#profiles tr[data-profile='local']"));
        wait.until(d -> "local".equals(d.findElement(By.id("profile-detail")).getAttribute("data-profile")));
        assertThat(driver.findElement(By.id("profile-delete")).isEnabled()).isFalse();

        // disks
        go("#/disks");
        WebElement disk = wait.until(d -> {
            List<WebElement> r = d.findElements(By.cssSelector("#disks tr[data-disk='" + MAC + "'][data-used='0']"));
            return r.isEmpty() || !r.get(0).getText().contains("before-test") ? null : r.get(0);
        });
        assertThat(disk.getText()).contains("OVERLAY").contains("win11").contains("0 B of 64.0 MiB");
        assertThat(disk.findElements(By.tagName("button"))).allMatch(WebElement::isEnabled);
        shot("disks");

        // audit: every action above, with its caller; the viewer's forced delete as refused
        go("#/audit");
        wait.until(d -> d.findElements(By.cssSelector("#audit tr.audit")).size() >= 8);
        String audit = driver.findElement(By.id("audit")).getText();
        assertThat(audit).contains("console admin").contains("PATCH /api/machines/" + MAC).contains("POST /api/disks/" + MAC + "/reset")
                .contains("DELETE /api/machines/" + DOOMED).contains("POST /api/images/lab-image?path=lab-image.raw")
                .contains("PUT /api/profiles/lab-net").contains("DELETE /api/profiles/lab-net");
        assertThat(driver.findElements(By.cssSelector("#audit tr.audit.refused"))).anyMatch(r -> r.getText().contains("console viewer")
                && r.getText().contains("DELETE /api/machines/" + MAC) && r.getText().contains("403"));
        shot("audit");
        JsonPath trail = given().auth().oauth2(viewer).queryParam("entity", "machine:" + MAC).queryParam("by", "console admin")
                .get("/api/audit").jsonPath();
        assertThat(trail.getList("entries.method")).containsExactly("PATCH", "PATCH", "PATCH");
        given().auth().oauth2("test-token").delete("/api/machines/" + MAC).then().statusCode(204);
    }

    void useToken(String token) {
        WebElement in = driver.findElement(By.id("token-input"));
        in.clear();
        in.sendKeys(token);
        click(By.id("token-use"));
    }

    /**
     * Finds and clicks in one step, again if the live page re-rendered the element in between (a
     * table row replaced by a stream update between find and click is stale, not missing).
     */
    void click(By by) {
        wait.ignoring(StaleElementReferenceException.class).until(d -> {
            d.findElement(by).click();
            return true;
        });
    }

    void go(String hash) {
        js("location.hash = arguments[0]", hash);
    }

    WebElement row(String mac) {
        return wait.until(d -> d.findElement(By.id(rowId(mac))));
    }

    static String rowId(String mac) {
        return "m-" + mac.replace(":", "");
    }

    /** Answers the open confirmation dialog; returns the request it showed. */
    String confirm(boolean yes) {
        wait.until(d -> d.findElement(By.id("confirm")).getAttribute("open") != null);
        String request = driver.findElement(By.id("confirm-request")).getText();
        click(By.id(yes ? "confirm-yes" : "confirm-no"));
        wait.until(d -> d.findElement(By.id("confirm")).getAttribute("open") == null);
        return request;
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Polls the API until it reports {@code expected} (the console's write is asynchronous to the test). */
    <T> void until(Supplier<T> actual, T expected) {
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        T last = actual.get();
        while (!expected.equals(last) && System.nanoTime() < end) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            last = actual.get();
        }
        assertThat(last).isEqualTo(expected);
    }

    void shot(String name) throws IOException {
        File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
