package io.chainboot.iscsi.targets;

import io.chainboot.events.DiskKind;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Names;
import io.chainboot.iscsi.SwitchableMachines;
import io.chainboot.iscsi.disk.DiskStore;
import io.chainboot.iscsi.scsi.FileBlockDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Machine disks open when their spec arrives, close when it goes or changes, and the login still opens what is not open. */
class TargetRegistryTest {
    static final String PREFIX = Names.DEFAULT_IQN_PREFIX;
    static final MacAddress A = MacAddress.parse("52:54:00:00:0a:01");
    static final MacAddress B = MacAddress.parse("52:54:00:00:0a:02");
    static final MacAddress C = MacAddress.parse("52:54:00:00:0a:03");

    @TempDir
    Path dir;
    final SwitchableMachines machines = new SwitchableMachines();
    final List<String> closed = new CopyOnWriteArrayList<>();
    TargetRegistry registry;

    @BeforeEach
    void setUp() {
        registry = new TargetRegistry(PREFIX, Optional.of("a-cluster-secret-of-some-length"), machines,
                TargetRegistry.rawDisks(dir), List.of());
        registry.onClosing(closed::add);
    }

    @AfterEach
    void tearDown() {
        registry.close();
    }

    static MachineSpec raw(MacAddress mac, String hostname, Long size) {
        return new MachineSpec(mac, null, hostname, null, "sanboot", null, null,
                new MachineSpec.DiskAssignment(DiskKind.RAW, null, size), null, true, null, Instant.EPOCH);
    }

    private void specsChanged(int openMax) {
        registry.machinesChanged(machines.all(), openMax);
    }

    private Access.Allowed login(MacAddress mac, String target) {
        Access a = registry.access(Names.initiatorIqn(PREFIX, mac), target);
        assertThat(a).as("%s", a).isInstanceOf(Access.Allowed.class);
        return (Access.Allowed) a;
    }

    @Test
    void theRawOpenerOpensTheFileDiskStoreNamesAndNothingOutsideTheDisksDirectory() throws Exception {
        MachineSpec named = new MachineSpec(B, null, "pc-b", null, "sanboot", null, null,
                new MachineSpec.DiskAssignment(DiskKind.RAW, "shared-b", 1L << 20), null, true, null, Instant.EPOCH);
        TargetRegistry.rawDisks(dir).open(named).close();
        assertThat(DiskStore.rawPath(dir, B, "shared-b")).isEqualTo(dir.resolve("shared-b.img")).isRegularFile();
        TargetRegistry.rawDisks(dir).open(raw(C, "pc-c", 1L << 20)).close();
        assertThat(DiskStore.rawPath(dir, C, null)).isEqualTo(dir.resolve("52-54-00-00-0a-03.img")).isRegularFile();
        MachineSpec escaping = new MachineSpec(B, null, "pc-b", null, "sanboot", null, null,
                new MachineSpec.DiskAssignment(DiskKind.RAW, "../outside", 1L << 20), null, true, null, Instant.EPOCH);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TargetRegistry.rawDisks(dir).open(escaping))
                .hasMessageContaining("invalid name");
        assertThat(dir.resolveSibling("outside.img")).doesNotExist();
    }

    @Test
    void aSpecArrivingOpensItsDiskAndItsDeletionEndsSessionsAndClosesIt() throws Exception {
        machines.put(raw(A, "pc-a", 1L << 20));
        String iqn = Names.targetIqn(PREFIX, A, "pc-a");
        assertThat(registry.openTargets()).isEmpty();

        specsChanged(64);
        assertThat(registry.openTargets()).containsExactly(iqn);
        assertThat(Files.size(dir.resolve("52-54-00-00-0a-01.img"))).as("created sparse at spec arrival").isEqualTo(1L << 20);
        // the login finds the very target opened ahead of it
        assertThat(login(A, iqn).target().scsi()).isSameAs(login(A, iqn).target().scsi());

        specsChanged(64); // nothing changed: nothing closes
        assertThat(closed).isEmpty();

        machines.remove(A);
        specsChanged(64);
        assertThat(registry.openTargets()).isEmpty();
        assertThat(closed).containsExactly(iqn);
        assertThat(registry.access(Names.initiatorIqn(PREFIX, A), iqn)).isInstanceOf(Access.Refused.class);
    }

    @Test
    void aSpecNamingAnotherTargetClosesTheOldAndOpensTheNew() {
        machines.put(raw(A, "pc-a", 1L << 20));
        specsChanged(64);
        String before = Names.targetIqn(PREFIX, A, "pc-a");
        var oldTarget = login(A, before).target().scsi();

        machines.put(raw(A, "renamed", 1L << 20));
        specsChanged(64);
        String after = Names.targetIqn(PREFIX, A, "renamed");
        assertThat(closed).containsExactly(before);
        assertThat(registry.openTargets()).containsExactly(after);
        assertThat(login(A, after).target().scsi()).isNotSameAs(oldTarget);
    }

    @Test
    void anUnknownMachineTargetIsUnavailableWhileTheViewLoadsAndNotFoundOnceLoaded() {
        String iqn = Names.targetIqn(PREFIX, A, "pc-a");
        machines.loaded(false);
        Access a = registry.access(Names.initiatorIqn(PREFIX, A), iqn);
        assertThat(a).isEqualTo(new Access.Refused(io.chainboot.iscsi.login.LoginStatus.SERVICE_UNAVAILABLE,
                "no target " + iqn + " yet: the machine view is still loading"));
        machines.loaded(true);
        assertThat(registry.access(Names.initiatorIqn(PREFIX, A), iqn))
                .isEqualTo(new Access.Refused(io.chainboot.iscsi.login.LoginStatus.NOT_FOUND, "no target " + iqn));
        machines.loaded(false);
        machines.put(raw(A, "pc-a", 1L << 20));
        login(A, iqn); // a known machine logs in while the rest of the view loads
    }

    @Test
    void aLoginBeforeTheSpecIsSeenOpensAndAChangedDiskReopensAtLogin() {
        machines.put(raw(A, "pc-a", 1L << 20));
        String iqn = Names.targetIqn(PREFIX, A, "pc-a");
        var first = login(A, iqn).target().scsi(); // no machinesChanged yet: the login opens it
        assertThat(registry.openTargets()).containsExactly(iqn);

        machines.put(raw(A, "pc-a", 2L << 20)); // same target, another disk assignment
        var second = login(A, iqn).target().scsi();
        assertThat(second).isNotSameAs(first);
        assertThat(closed).containsExactly(iqn);
    }

    @Test
    void atMostOpenMaxDisksOpenAheadTheOthersAtTheirLogin() {
        machines.put(raw(A, "pc-a", 1L << 20));
        machines.put(raw(B, "pc-b", 1L << 20));
        machines.put(raw(C, "pc-c", 1L << 20));
        specsChanged(2);
        assertThat(registry.openTargets()).hasSize(2);
        for (MacAddress m : List.of(A, B, C)) {
            login(m, Names.targetIqn(PREFIX, m, machines.byMac(m).orElseThrow().hostname()));
        }
        assertThat(registry.openTargets()).hasSize(3);
        specsChanged(0); // a lower limit closes nothing that is open
        assertThat(registry.openTargets()).hasSize(3);
    }

    @Test
    void aDiskThatCannotOpenIsNotRetriedUntilItsSpecChangesButALoginTriesAgain() throws Exception {
        machines.put(raw(A, "pc-a", null)); // no file and no size: cannot be created
        String iqn = Names.targetIqn(PREFIX, A, "pc-a");
        specsChanged(64);
        assertThat(registry.openTargets()).isEmpty();

        FileBlockDevice.createSparse(dir.resolve("52-54-00-00-0a-01.img"), 1L << 20);
        specsChanged(64);
        assertThat(registry.openTargets()).as("not retried on every poll").isEmpty();
        login(A, iqn);
        assertThat(registry.openTargets()).containsExactly(iqn);
    }

    @Test
    void aSpecThatChangesAfterAFailureIsTriedAgain() {
        machines.put(raw(A, "pc-a", null));
        specsChanged(64);
        assertThat(registry.openTargets()).isEmpty();
        machines.put(raw(A, "pc-a", 1L << 20));
        specsChanged(64);
        assertThat(registry.openTargets()).containsExactly(Names.targetIqn(PREFIX, A, "pc-a"));
    }
}
