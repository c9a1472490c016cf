package io.chainboot.iscsi;

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

import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Targets from machine specs, with derived names and CHAP secrets, through the real service and libiscsi. */
@QuarkusTest
@TestProfile(IscsiTestProfile.class)
class MachineTargetsTest {
    static final String PREFIX = Names.DEFAULT_IQN_PREFIX;

    @Inject
    IscsiService service;
    @Inject
    SwitchableMachines machines;
    @Inject
    RecordingPublisher events;

    private String portal() {
        return "127.0.0.1:" + service.address().getPort();
    }

    @Test
    void aMachineDiskServesOnlyItsOwnInitiatorWithItsDerivedSecret() throws Exception {
        MacAddress mac = MacAddress.parse("52:54:00:aa:bb:01");
        machines.put(new MachineSpec(mac, null, "pc-a", null, null, null, null,
                new MachineSpec.DiskAssignment(DiskKind.RAW, null, 8L << 20), new MachineSpec.ChapPolicy(true, false),
                true, null, Instant.now()));
        String target = Names.targetIqn(PREFIX, mac, "pc-a");
        String initiator = Names.initiatorIqn(PREFIX, mac);
        String secret = Names.chapSecret(IscsiTestProfile.CLUSTER_SECRET, mac);

        Tools.Result ls = Tools.run(30, "iscsi-ls", "-i", initiator, "iscsi://" + portal());
        assertThat(ls.output()).contains("Target:" + target);
        Tools.Result otherLs = Tools.run(30, "iscsi-ls", "-i", "iqn.2026-01.io.chainboot:initiator:52-54-00-aa-bb-99",
                "iscsi://" + portal());
        assertThat(otherLs.output()).doesNotContain(target);

        String url = "iscsi://" + initiator + "%" + secret + "@" + portal() + "/" + target + "/0";
        Tools.Result cap = Tools.run(30, "iscsi-readcapacity16", "-i", initiator, url);
        assertThat(cap.exit()).as(cap.output()).isZero();
        assertThat(cap.output()).contains("Total size:" + (8 << 20));
        assertThat(Files.size(IscsiTestProfile.DIR.resolve("disks").resolve("52-54-00-aa-bb-01.img"))).isEqualTo(8L << 20);

        String wrong = "iscsi://" + initiator + "%not-the-secret-1@" + portal() + "/" + target + "/0";
        assertThat(Tools.run(30, "iscsi-inq", "-i", initiator, wrong).exit()).isNotZero();
        String stranger = "iqn.2026-01.io.chainboot:initiator:52-54-00-aa-bb-99";
        assertThat(Tools.run(30, "iscsi-inq", "-i", stranger, "iscsi://" + stranger + "%" + secret + "@" + portal()
                + "/" + target + "/0").exit()).isNotZero();

        // events are published after the login response is on the wire: the client may exit first
        eventually(() -> {
            assertThat(events.of(IscsiEvents.Login.class))
                    .anyMatch(l -> mac.equals(l.mac()) && target.equals(l.targetIqn())
                            && l.sessionType() == IscsiEvents.SessionType.NORMAL);
            assertThat(events.of(IscsiEvents.LoginRejected.class))
                    .anyMatch(r -> mac.equals(r.mac()) && r.statusDetail() == 1)
                    .anyMatch(r -> r.statusDetail() == 2 && target.equals(r.targetIqn()));
        });
    }

    private static void eventually(Runnable assertion) throws InterruptedException {
        io.chainboot.common.testing.Eventually.untilAsserted(assertion, java.time.Duration.ofSeconds(10));
    }

    @Test
    void manySessionsAtOnce() throws Exception {
        String url = "iscsi://" + portal() + "/" + IscsiTestProfile.OPEN + "/0";
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<Tools.Result>> runs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int n = i;
                runs.add(pool.submit(() -> Tools.run(120, "qemu-img", "convert", "-f", "raw", "-O", "raw", url,
                        IscsiTestProfile.DIR.resolve("parallel-" + n + ".raw").toString())));
            }
            for (int i = 0; i < runs.size(); i++) {
                Tools.Result r = runs.get(i).get();
                assertThat(r.exit()).as(r.output()).isZero();
                assertThat(Files.mismatch(IscsiTestProfile.DIR.resolve("parallel-" + i + ".raw"),
                        IscsiTestProfile.DIR.resolve("open.img"))).isEqualTo(-1L);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
