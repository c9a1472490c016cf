package io.chainboot.script.boot;

import io.chainboot.common.testing.RecordingPublisher;
import io.chainboot.events.DiskKind;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.ScriptEvents;
import io.chainboot.script.testing.FixedMachines;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** /grub/grub.cfg (the stub) and /grub/grub.cfg-&lt;mac&gt; (a machine's GRUB configuration) over real HTTP. */
@QuarkusTest
class GrubConfigRouteTest {
    static final MacAddress DEBIAN = MacAddress.parse("52:54:00:bb:00:01");
    static final MacAddress SAN = MacAddress.parse("52:54:00:bb:00:02");

    @Inject
    FixedMachines machines;
    @Inject
    RecordingPublisher events;

    @BeforeEach
    void setUp() {
        machines.clear();
        events.clear();
        machines.put(new MachineSpec(DEBIAN, null, "sb01", null, "debian", Map.of("secure-boot", "true"), Map.of(), null, null,
                true, null, Instant.EPOCH));
        machines.put(new MachineSpec(SAN, null, "sb02", null, "sanboot", Map.of("secure-boot", "true"), Map.of(),
                new MachineSpec.DiskAssignment(DiskKind.RAW, "sb02.img", null), null, true, null, Instant.EPOCH));
    }

    static Response get(String path) {
        return given().urlEncodingEnabled(false).get(path);
    }

    @Test
    void theStubIsTheSameForEveryMachineAndPublishesNothing() {
        Response r = get("/grub/grub.cfg?ip=10.77.0.100");
        r.then().statusCode(200).contentType("text/plain").header("cache-control", "no-store");
        assertThat(r.asString()).contains("configfile /grub/grub.cfg-${net_default_mac}\n");
        assertThat(events.events()).isEmpty();
    }

    @Test
    void aMachinesFileIsItsProfileForGrubWithARenderedEvent() {
        Response r = get("/grub/grub.cfg-52:54:00:bb:00:01?ip=10.77.0.100");
        r.then().statusCode(200).contentType("text/plain");
        assertThat(r.asString()).isEqualTo("# Chainboot profile debian for 52:54:00:bb:00:01 (GRUB)\n"
                + "echo 'Chainboot: debian: loading the kernel'\n"
                + "linux /debian/linux 'auto=true' 'priority=critical' 'hostname=sb01'\n"
                + "echo 'Chainboot: debian: loading the initrd'\n"
                + "initrd /debian/initrd.gz\n"
                + "boot\n");
        assertThat(events.events()).singleElement().isInstanceOfSatisfying(ScriptEvents.Rendered.class, e -> {
            assertThat(e.mac()).isEqualTo(DEBIAN);
            assertThat(e.ip()).hasToString("10.77.0.100");
            assertThat(e.profile()).isEqualTo("debian");
            assertThat(e.platform()).isEqualTo("efi");
            assertThat(e.arch()).isEqualTo("x86_64");
            assertThat(e.attachesSan()).isFalse();
        });
    }

    @Test
    void aSanbootMachineGetsAConfigurationThatSaysWhyAndAFailedEvent() {
        Response r = get("/grub/grub.cfg-52:54:00:bb:00:02?ip=10.77.0.101");
        r.then().statusCode(200);
        assertThat(r.asString()).contains("echo 'profile sanboot (sanboot) cannot boot under Secure Boot: GRUB has no iSCSI client")
                .endsWith("configfile /grub/grub.cfg-52:54:00:bb:00:02\n");
        assertThat(events.events()).singleElement().isInstanceOfSatisfying(ScriptEvents.Failed.class, e -> {
            assertThat(e.mac()).isEqualTo(SAN);
            assertThat(e.profile()).isEqualTo("sanboot");
            assertThat(e.reason()).startsWith("profile sanboot (sanboot) cannot boot under Secure Boot");
        });
    }

    @Test
    void otherNamesAreNotFoundAndPublishNothing() {
        get("/grub/grub.cfg-not-a-mac").then().statusCode(404);
        get("/grub/x86_64-efi/command.lst").then().statusCode(404);
        get("/grub/font.pf2").then().statusCode(404);
        assertThat(events.events()).isEmpty();
    }
}
