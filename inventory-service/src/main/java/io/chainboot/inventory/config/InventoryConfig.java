package io.chainboot.inventory.config;

import io.chainboot.events.BootStage;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Optional;

/** Every {@code chainboot.inventory.*} setting (docs/inventory-service.md lists them with defaults). */
@ConfigMapping(prefix = "chainboot.inventory")
public interface InventoryConfig {

    /** A YAML file of declared machines, applied at start (GitOps). */
    Optional<String> machinesFile();

    /**
     * Opt-in: machines created by the machines file (origin {@code file}) and no longer in it are
     * deleted at start, with a tombstone on chainboot.machines. Machines created by the API or by
     * auto-registration are never pruned.
     */
    @WithName("machines-file.prune")
    @WithDefault("false")
    boolean machinesFilePrune();

    /** Bearer token the write API requires; when unset, writes are refused. */
    Optional<String> apiToken();

    /**
     * The DHCP pool's subnet in CIDR form ({@code 10.77.0.0/24}); when set, a machine's reserved IP
     * must be a host address in it. The launcher sets it in full DHCP mode.
     */
    Optional<String> subnet();

    /** Whether reads (API, dashboard stream) also need a token (any role). */
    @WithDefault("false")
    boolean readRequiresToken();

    Stall stall();

    /** The internal services the entry point forwards {@code /api/images|disks|sessions|profiles|preview} to. */
    Upstream upstream();

    /**
     * Whether committed changes go to the other replicas' live streams, and theirs come here
     * (PostgreSQL NOTIFY/LISTEN, {@code live.ReplicaBus}); false: each console sees its replica's only.
     */
    @WithDefault("true")
    boolean liveAcrossReplicas();

    interface Upstream {
        /** iscsi-service's HTTP API (images, disks, sessions). */
        @WithDefault("http://127.0.0.1:8084")
        String iscsiUrl();

        /** script-service's HTTP API (profiles, preview). */
        @WithDefault("http://127.0.0.1:8081")
        String scriptUrl();

        /** How long a forwarded request may take (an image import copies the whole file before it answers). */
        @WithDefault("30m")
        Duration timeout();
    }

    Outbox outbox();

    Leader leader();

    Ingest ingest();

    interface Ingest {
        /**
         * How many recently stored events are kept decoded in memory for the re-fold of their
         * machines' timelines (each a few hundred bytes); 0 = none.
         */
        @WithDefault("100000")
        int decodedCache();

        /**
         * Rounds of a synthetic machine's boot chain stored and rolled back at start, before
         * readiness turns UP, so the first boot storm after a start does not pay the ingest path's
         * first use (see IngestWarmup); 0 = none.
         */
        @WithDefault("10")
        int warmUpRounds();
    }

    /** How long a boot attempt may stay at a stage before it is declared stalled. */
    interface Stall {
        @WithDefault("60s")
        Duration pxeDhcp();

        @WithDefault("60s")
        Duration firmwareLoaded();

        @WithDefault("60s")
        Duration ipxeDhcp();

        @WithDefault("120s")
        Duration script();

        @WithDefault("10m")
        Duration sanAttached();

        /**
         * After a start, no verdicts until the first batch arrives or this passes: after a crash the
         * group only reassigns the dead member's partitions once its session (45 s) times out.
         */
        @WithDefault("90s")
        Duration startupGrace();

        /** How often attempts are checked for stalls. */
        @WithDefault("1s")
        Duration checkEvery();

        default Optional<Duration> threshold(BootStage stage) {
            switch (stage) {
                case PXE_DHCP:
                    return Optional.of(pxeDhcp());
                case FIRMWARE_LOADED:
                    return Optional.of(firmwareLoaded());
                case IPXE_DHCP:
                    return Optional.of(ipxeDhcp());
                case SCRIPT:
                    return Optional.of(script());
                case SAN_ATTACHED:
                    return Optional.of(sanAttached());
                default:
                    return Optional.empty(); // OS_RUNNING, FAILED, STALLED never stall
            }
        }
    }

    /** Which instance runs the stall detector and the outbox relay (a PostgreSQL advisory lock). */
    interface Leader {
        /** The advisory lock's key; instances sharing a database and this key elect one leader. */
        @WithDefault("7407157")
        long lockKey();

        /** How often the leader checks its lock and the others try to take it. */
        @WithDefault("5s")
        Duration retryEvery();
    }

    interface Outbox {
        /**
         * Longest pause between relay passes when the outbox is empty: a commit in this process wakes
         * the relay at once (OutboxSignal); this bounds the delay of rows another instance wrote.
         */
        @WithDefault("2s")
        Duration pollEvery();

        @WithDefault("500")
        int batchSize();
    }
}
