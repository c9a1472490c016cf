package io.chainboot.inventory.ingest;

import io.chainboot.events.BootEvent;
import io.chainboot.events.ClientKind;
import io.chainboot.events.DhcpEvents;
import io.chainboot.events.EventJson;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.IscsiEvents;
import io.chainboot.events.MacAddress;
import io.chainboot.events.ScriptEvents;
import io.chainboot.events.TftpEvents;
import io.chainboot.inventory.config.InventoryConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Start-up warm-up of the ingest path, as iscsi-service warms its portal: before readiness turns UP,
 * a synthetic machine's whole boot chain (PXE and iPXE DHCP, TFTP, script, iSCSI login and LUN) is
 * encoded to the wire JSON, decoded as the consumer decodes it and stored by {@link EventStore#ingest}
 * — first sight, lease correlation, the fold — a number of rounds, each inside a transaction that is
 * rolled back. The first real boot storm after {@code ./chainboot up} then finds Jackson, Hibernate,
 * the JDBC statements and the fold compiled instead of paying for that first use on a box whose
 * cores its guests want (measured: inventory took 3.1 CPU-s in the first storm after a start, 0.6 in
 * the next one).
 *
 * <p>Nothing of it is kept: every row (events, machine, attempt, lease, outbox) goes with the
 * rollback; only database sequence numbers and the fold counters move. The machine is a locally
 * administered MAC no NIC has. A failing warm-up is logged and readiness turns UP anyway: it only
 * saves time.
 */
@ApplicationScoped
@Readiness
public class IngestWarmup implements HealthCheck {
    private static final Logger LOG = Logger.getLogger(IngestWarmup.class);
    static final MacAddress MACHINE = MacAddress.parse("02:00:00:00:00:01");
    private static final Ipv4Address IP = Ipv4Address.parse("192.0.2.1"); // TEST-NET-1: never a real lease

    private final EventStore store;
    private final TransactionManager transactions;
    /**
     * chainboot.inventory.ingest.warm-up-rounds: the first round pays the first use (measured 5.0 s at
     * load 9–15, then 0.8 s, then 20–190 ms a round); a few more let the client compiler (the launcher
     * runs C1 only) see the per-event paths.
     */
    private final int target;
    private volatile boolean done;
    private volatile int rounds;

    public IngestWarmup(EventStore store, TransactionManager transactions, InventoryConfig config) {
        this.store = store;
        this.transactions = transactions;
        this.target = config.ingest().warmUpRounds();
    }

    void start(@Observes StartupEvent ev) {
        Thread t = new Thread(this::run, "ingest-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private void run() {
        if (target == 0) {
            done = true; // chainboot.inventory.ingest.warm-up-rounds=0: switched off
            return;
        }
        long t0 = System.nanoTime();
        try {
            while (rounds < target) {
                Map<UUID, byte[]> wire = new HashMap<>();
                storeAndRollBack(decoded(chain(Instant.now()), wire), wire);
                rounds++;
            }
            LOG.infof("ingest warm-up: %d rounds of a synthetic boot chain stored and rolled back in %d ms", rounds,
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (Exception | LinkageError e) {
            LOG.warnf("ingest warm-up stopped after %d rounds (nothing stored; only start-up speed is lost): %s", rounds,
                    e.toString());
        } finally {
            done = true;
        }
    }

    private void storeAndRollBack(List<BootEvent> events, Map<UUID, byte[]> wire) throws Exception {
        transactions.begin();
        try {
            store.ingest(events, false, wire);
        } finally {
            if (transactions.getStatus() != Status.STATUS_NO_TRANSACTION) {
                transactions.rollback();
            }
        }
    }

    /** Through the wire format, as {@link BootEventConsumer} receives them (their JSON by id into {@code wire}). */
    static List<BootEvent> decoded(List<BootEvent> events, Map<UUID, byte[]> wire) {
        List<BootEvent> out = new ArrayList<>(events.size());
        for (BootEvent e : events) {
            byte[] json = EventJson.encode(e);
            BootEvent d = EventJson.decodeEvent(json).orElseThrow();
            wire.put(d.id(), json);
            out.add(d);
        }
        return out;
    }

    /** One machine's chain: PXE DHCP, TFTP (keyed by IP: correlated through the lease), iPXE DHCP, script, iSCSI. */
    static List<BootEvent> chain(Instant t0) {
        EventSource dhcp = new EventSource("dhcp-service", "warm-up");
        EventSource tftp = new EventSource("tftp-service", "warm-up");
        EventSource script = new EventSource("script-service", "warm-up");
        EventSource iscsi = new EventSource("iscsi-service", "warm-up");
        String initiator = "iqn.2026-01.io.chainboot:initiator:" + MACHINE.toHex();
        String target = "iqn.2026-01.io.chainboot:warm-up";
        return List.of(
                new DhcpEvents.Offered(UUID.randomUUID(), t0, dhcp, MACHINE, IP, ClientKind.FIRMWARE, 0,
                        "PXEClient:Arch:00000:UNDI:002001", null, "undionly.kpxe", "full", 3600),
                new DhcpEvents.Acked(UUID.randomUUID(), t0.plusMillis(10), dhcp, MACHINE, IP, ClientKind.FIRMWARE, 0,
                        null, null, "undionly.kpxe", "full", 3600, null),
                new TftpEvents.Completed(UUID.randomUUID(), t0.plusMillis(40), tftp, null, IP, "undionly.kpxe", 70000, 120,
                        1468, 1, 0),
                new DhcpEvents.Offered(UUID.randomUUID(), t0.plusMillis(90), dhcp, MACHINE, IP, ClientKind.IPXE, 0, "iPXE",
                        null, "http://boot/boot.ipxe", "full", 3600),
                new DhcpEvents.Acked(UUID.randomUUID(), t0.plusMillis(100), dhcp, MACHINE, IP, ClientKind.IPXE, 0, null, null,
                        "http://boot/boot.ipxe", "full", 3600, null),
                new ScriptEvents.Rendered(UUID.randomUUID(), t0.plusMillis(120), script, MACHINE, IP, "warm-up", null, "i386",
                        "pcbios", 900, true),
                new IscsiEvents.Login(UUID.randomUUID(), t0.plusMillis(150), iscsi, MACHINE, IP, initiator, target,
                        IscsiEvents.SessionType.NORMAL, 1),
                new IscsiEvents.LunAttached(UUID.randomUUID(), t0.plusMillis(160), iscsi, MACHINE, IP, initiator, target, 0,
                        2048, 512));
    }

    /** DOWN until the warm-up ended (done or given up). */
    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("ingest-warm-up").status(done).build();
    }

    boolean done() {
        return done;
    }

    int target() {
        return target;
    }

    /** Rounds stored and rolled back (all of them unless the warm-up stopped on an error). */
    int rounds() {
        return rounds;
    }
}
