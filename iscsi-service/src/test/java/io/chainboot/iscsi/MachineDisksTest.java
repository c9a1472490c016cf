package io.chainboot.iscsi;

import io.chainboot.common.testing.Eventually;
import io.chainboot.common.testing.RecordingPublisher;
import io.chainboot.events.DiskKind;
import io.chainboot.events.IscsiEvents;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Names;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Through the running service: a machine's disk is created and opened when its spec arrives in the
 * machines view (before any login), and when the spec is deleted the machine's session is ended and
 * its disk closed. qemu-io (qemu-utils, qemu-block-extra) holds the session open.
 */
@QuarkusTest
@TestProfile(IscsiTestProfile.class)
class MachineDisksTest {
    static final String PREFIX = Names.DEFAULT_IQN_PREFIX;

    @Inject
    IscsiService service;
    @Inject
    SwitchableMachines machines;
    @Inject
    RecordingPublisher events;

    @Test
    void aDiskOpensWhenItsSpecArrivesAndClosesWhenItIsDeleted() throws Exception {
        MacAddress mac = MacAddress.parse("52:54:00:aa:dd:01");
        String target = Names.targetIqn(PREFIX, mac, "disk-watch");
        Path file = IscsiTestProfile.DIR.resolve("disks").resolve("52-54-00-aa-dd-01.img");
        machines.put(new MachineSpec(mac, null, "disk-watch", null, "sanboot", null, null,
                new MachineSpec.DiskAssignment(DiskKind.RAW, null, 4L << 20), null, true, null, Instant.now()));
        eventually(() -> assertThat(service.openTargets()).contains(target));
        assertThat(Files.size(file)).as("created when the spec arrived, no login yet").isEqualTo(4L << 20);

        String url = "iscsi://127.0.0.1:" + service.address().getPort() + "/" + target + "/0";
        Process qemu = new ProcessBuilder("qemu-io", "--image-opts", "driver=iscsi,transport=tcp,portal=127.0.0.1:"
                + service.address().getPort() + ",target=" + target + ",lun=0,initiator-name="
                + Names.initiatorIqn(PREFIX, mac)).redirectErrorStream(true).start(); // keeps its session until stdin closes
        try {
            eventually(() -> assertThat(service.sessions().all()).anyMatch(c -> target.equals(c.targetName())));

            machines.remove(mac);
            eventually(() -> {
                assertThat(service.openTargets()).doesNotContain(target);
                assertThat(service.sessions().all()).noneMatch(c -> target.equals(c.targetName()));
                assertThat(events.of(IscsiEvents.Logout.class)).anyMatch(l -> target.equals(l.targetIqn())
                        && l.reason().contains("machine disk closed"));
            });
            Tools.Result refused = Tools.run(30, "iscsi-inq", "-i", Names.initiatorIqn(PREFIX, mac), url);
            assertThat(refused.exit()).as("no spec, no target").isNotZero();
        } finally {
            qemu.getOutputStream().close();
            qemu.destroy();
            qemu.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void eventually(Runnable assertion) throws InterruptedException {
        Eventually.untilAsserted(assertion, Duration.ofSeconds(15));
    }
}
