package io.chainboot.iscsi.warmup;

import io.chainboot.common.MachineDirectory;
import io.chainboot.events.DiskKind;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Names;
import io.chainboot.iscsi.disk.OverlayBlockDevice;
import io.chainboot.iscsi.scsi.FileBlockDevice;
import io.chainboot.iscsi.server.IscsiServer;
import io.chainboot.iscsi.session.Connection;
import io.chainboot.iscsi.session.SessionListener;
import io.chainboot.iscsi.session.SessionRegistry;
import io.chainboot.iscsi.targets.Access;
import io.chainboot.iscsi.targets.TargetRegistry;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.stream.Stream;

/**
 * Start-up warm-up: before the portal accepts its first initiator, the service talks to itself. A
 * throwaway portal on 127.0.0.1 (the real {@link IscsiServer}, {@link Connection}, login, SCSI and
 * disk code, on the service's own I/O executor) serves throwaway disks in a temporary directory (a
 * raw image, and a machine's copy-on-write overlay on a golden image), and {@link WarmupClient} runs
 * what iPXE does at {@code sanboot} (login without and with CHAP, REPORT LUNS, TEST UNIT READY, READ
 * CAPACITY 10/16, INQUIRY, READs, a WRITE through R2T) and what an OS initiator does after it (mutual
 * CHAP, CRC32C header digests, immediate data, VPD pages, MODE SENSE, SendTargets discovery) a few
 * rounds. Class loading and initialisation (CHAP's SecureRandom and MD5, HMAC for derived secrets,
 * NIO socket and file channel paths, lambdas and string concatenation call sites), the I/O threads
 * and the JIT's first compilations are then done when the first real machine logs in.
 *
 * <p>Nothing of it shows: its sessions live in their own {@link SessionRegistry}, its listener
 * publishes no event and counts on no shared meter, and everything is closed and deleted before
 * the service reports ready.
 */
public final class Warmup {
    private static final Logger LOG = Logger.getLogger(Warmup.class);
    private static final long DISK_BYTES = 8L << 20;
    /** A locally administered MAC that no real NIC has. */
    static final MacAddress MACHINE = MacAddress.parse("02:00:00:00:00:01");

    static final List<String> IPXE_KEYS = List.of("HeaderDigest=None", "DataDigest=None", "MaxConnections=1",
            "InitialR2T=Yes", "ImmediateData=No", "MaxRecvDataSegmentLength=8192", "MaxBurstLength=262144",
            "FirstBurstLength=65536", "DefaultTime2Wait=0", "DefaultTime2Retain=0", "MaxOutstandingR2T=1",
            "DataPDUInOrder=Yes", "DataSequenceInOrder=Yes", "ErrorRecoveryLevel=0");
    static final List<String> OS_KEYS = List.of("HeaderDigest=CRC32C,None", "DataDigest=None", "InitialR2T=No",
            "ImmediateData=Yes", "MaxRecvDataSegmentLength=262144", "MaxBurstLength=16776192",
            "FirstBurstLength=65536", "MaxConnections=1", "ErrorRecoveryLevel=0", "DefaultTime2Wait=2",
            "DefaultTime2Retain=0", "IFMarker=No", "OFMarker=No", "MaxOutstandingR2T=1", "DataPDUInOrder=Yes",
            "DataSequenceInOrder=Yes");

    /** What the warm-up did: rounds completed, time taken, and the failure that stopped it (null = none). */
    public record Report(int rounds, long millis, String failure) {
        public boolean ok() {
            return failure == null;
        }
    }

    private Warmup() {
    }

    /**
     * Runs {@code rounds} rounds against a throwaway portal. Never throws: a failure is in the
     * report (the service then starts anyway, only colder).
     */
    public static Report run(String iqnPrefix, Executor io, Connection.Settings settings, SessionListener listener,
                             int rounds) {
        long t0 = System.nanoTime();
        int done = 0;
        String failure = null;
        Path dir = null;
        TargetRegistry registry = null;
        IscsiServer server = null;
        try {
            dir = Files.createTempDirectory("cb-iscsi-warmup-");
            Disks disks = Disks.create(dir, iqnPrefix);
            registry = disks.registry();
            SessionRegistry sessions = new SessionRegistry();
            TargetRegistry r = registry;
            server = new IscsiServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    transport -> new Connection(transport, r, sessions, listener, io, settings), 0);
            InetSocketAddress portal = server.start();
            for (; done < rounds; done++) {
                round(portal, disks);
            }
        } catch (IOException | RuntimeException e) {
            failure = e.toString();
            LOG.warnf("iSCSI warm-up stopped after %d round(s): %s", done, failure);
        } finally {
            if (server != null) {
                server.close();
            }
            if (registry != null) {
                registry.close();
            }
            delete(dir);
        }
        return new Report(done, (System.nanoTime() - t0) / 1_000_000, failure);
    }

    /** One round: iPXE to a raw disk, iPXE with CHAP to a machine's overlay, an OS initiator, a discovery. */
    private static void round(InetSocketAddress portal, Disks d) throws IOException {
        try (WarmupClient c = new WarmupClient(portal)) {
            c.login("iqn.2010-04.org.ipxe:warmup", d.rawIqn, null, IPXE_KEYS);
            sanboot(c);
            c.logout();
        }
        try (WarmupClient c = new WarmupClient(portal)) {
            c.login(d.machineInitiator, d.machineIqn, new WarmupClient.Credentials(d.machineInitiator, d.machineSecret,
                    Optional.empty()), IPXE_KEYS);
            sanboot(c);
            c.logout();
        }
        try (WarmupClient c = new WarmupClient(portal)) {
            c.login("iqn.1993-08.org.debian:01:warmup", d.mutualIqn, new WarmupClient.Credentials("warmup",
                    Disks.SECRET, Optional.of(Disks.TARGET_SECRET)), OS_KEYS);
            osStart(c);
            c.logout();
        }
        try (WarmupClient c = new WarmupClient(portal)) {
            c.login(d.machineInitiator, null, null, OS_KEYS);
            if (!c.sendTargets().contains(d.machineIqn)) {
                throw new IOException("SendTargets does not list the warm-up machine's target");
            }
            c.logout();
        }
    }

    /**
     * iPXE 1.x at sanboot: probe, capacity, the boot sector and a few more reads, plus a write. No
     * SYNCHRONIZE CACHE here or below: an fsync per round would make the warm-up wait on the disk.
     */
    private static void sanboot(WarmupClient c) throws IOException {
        good(c, cdb(0xa0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0), 4096, null);
        WarmupClient.Answer tur = null;
        for (int i = 0; i < 5 && (tur == null || tur.status() != 0); i++) { // a unit attention first is normal
            tur = c.command(0, new byte[6], 0, null);
        }
        if (tur.status() != 0) {
            throw new IOException("TEST UNIT READY never GOOD");
        }
        good(c, cdb(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), 8, null);
        good(c, cdb(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), 32, null);
        good(c, cdb(0x12, 0, 0, 0, 96, 0), 96, null);
        good(c, read10(0, 1), 512, null);
        good(c, read10(1, 8), 4096, null);
        good(c, read10(64, 64), 32768, null);
        good(c, write10(100, 1), 0, new byte[512]);
        good(c, read10(100, 1), 512, null);
        c.ping();
    }

    /** An OS initiator taking over the disk: VPD pages, mode pages, 16-byte reads and writes, immediate data. */
    private static void osStart(WarmupClient c) throws IOException {
        c.command(0, new byte[6], 0, null); // unit attention
        for (int page : new int[] {0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2}) {
            good(c, cdb(0x12, 1, page, 0, 0xff, 0), 255, null);
        }
        good(c, cdb(0x1a, 0, 0x3f, 0, 0xff, 0), 255, null);
        good(c, cdb(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), 32, null);
        good(c, cdb(0x88, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0), 4096, null);
        good(c, cdb(0x8a, 0, 0, 0, 0, 0, 0, 0, 0, 200, 0, 0, 0, 16, 0, 0), 0, new byte[8192]);
        good(c, write10(1024, 256), 0, new byte[128 * 1024]); // immediate data up to FirstBurstLength, R2T for the rest
    }

    private static void good(WarmupClient c, byte[] cdb, int edtl, byte[] write) throws IOException {
        WarmupClient.Answer a = c.command(0, cdb, write != null ? write.length : edtl, write);
        if (a.status() != 0) {
            throw new IOException(String.format("CDB %02x answered status 0x%02x", cdb[0], a.status()));
        }
    }

    private static byte[] cdb(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return b;
    }

    private static byte[] read10(int lba, int blocks) {
        return ByteBuffer.allocate(10).put((byte) 0x28).put((byte) 0).putInt(lba).put((byte) 0)
                .putShort((short) blocks).put((byte) 0).array();
    }

    private static byte[] write10(int lba, int blocks) {
        byte[] b = read10(lba, blocks);
        b[0] = 0x2a;
        return b;
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.debugf("cannot delete %s: %s", dir, e.getMessage());
        }
    }

    /** The throwaway disks and the registry that serves them. */
    private static final class Disks {
        static final String SECRET = "warm-up-secret-0001";
        static final String TARGET_SECRET = "warm-up-target-0002";

        final String rawIqn;
        final String mutualIqn;
        final String machineIqn;
        final String machineInitiator;
        final String machineSecret;
        private final TargetRegistry registry;

        private Disks(String rawIqn, String mutualIqn, String machineIqn, String machineInitiator, String machineSecret,
                      TargetRegistry registry) {
            this.rawIqn = rawIqn;
            this.mutualIqn = mutualIqn;
            this.machineIqn = machineIqn;
            this.machineInitiator = machineInitiator;
            this.machineSecret = machineSecret;
            this.registry = registry;
        }

        TargetRegistry registry() {
            return registry;
        }

        static Disks create(Path dir, String iqnPrefix) throws IOException {
            Path raw = FileBlockDevice.createSparse(dir.resolve("raw.img"), DISK_BYTES);
            Path golden = FileBlockDevice.createSparse(dir.resolve("golden.img"), DISK_BYTES);
            Path overlay = dir.resolve("machine.ovl");
            try (FileBlockDevice g = FileBlockDevice.open(golden, true)) {
                OverlayBlockDevice.create(overlay, g, "warmup@0", g.blocks(), OverlayBlockDevice.DEFAULT_GRAIN_BLOCKS);
            }
            String clusterSecret = "warm-up-cluster-secret";
            MachineSpec spec = new MachineSpec(MACHINE, null, "chainboot-warmup", null, "sanboot", null, null,
                    new MachineSpec.DiskAssignment(DiskKind.OVERLAY, "warmup", null),
                    new MachineSpec.ChapPolicy(true, false), true, null, Instant.EPOCH);
            String rawIqn = iqnPrefix + ":chainboot-warmup-raw";
            String mutualIqn = iqnPrefix + ":chainboot-warmup-mutual";
            TargetRegistry registry = new TargetRegistry(iqnPrefix, Optional.of(clusterSecret), new OneMachine(spec),
                    s -> OverlayBlockDevice.open(overlay, FileBlockDevice.open(golden, true), "warmup@0", 0,
                            "WARMUP", true),
                    List.of(new TargetRegistry.StaticTarget(rawIqn, raw, List.of(), Optional.empty(), false),
                            new TargetRegistry.StaticTarget(mutualIqn, raw, List.of(), Optional.of(
                                    new Access.ChapCredentials("warmup", SECRET, Optional.of(mutualIqn),
                                            Optional.of(TARGET_SECRET))), false))).quiet();
            registry.machinesChanged(List.of(spec), 1);
            return new Disks(rawIqn, mutualIqn, Names.targetIqn(iqnPrefix, spec), Names.initiatorIqn(iqnPrefix, MACHINE),
                    Names.chapSecret(clusterSecret, MACHINE), registry);
        }
    }

    /** The warm-up's machines view: its one machine. */
    private record OneMachine(MachineSpec spec) implements MachineDirectory {
        @Override
        public Optional<MachineSpec> byMac(MacAddress mac) {
            return spec.mac().equals(mac) ? Optional.of(spec) : Optional.empty();
        }

        @Override
        public Optional<MachineSpec> byUuid(String uuid) {
            return Optional.empty();
        }

        @Override
        public Collection<MachineSpec> all() {
            return List.of(spec);
        }
    }
}
