package io.chainboot.events;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Kafka topic names and the settings the topics are created with: the only place they are
 * spelled. The launcher's broker ({@code infra-runtime}'s {@code KafkaMain}, which has this class,
 * and nothing else of boot-events, on its classpath) creates {@link #ALL} from here;
 * docker-compose.yml's {@code kafka-init} spells them in shell and {@code deploy}'s
 * {@code ComposeFileTest} holds it to this list. JDK types only, so the broker's JVM can load it.
 */
public final class Topics {
    /** Every boot event; key = MAC (canonical), or IP when the MAC is unknown. JSON {@link BootEvent}. */
    public static final String BOOT_EVENTS = "chainboot.boot-events";
    /** Compacted; key = MAC, value = {@link MachineSpec} JSON, tombstone = machine deleted. */
    public static final String MACHINES = "chainboot.machines";
    /** Compacted; key = IP, value = {@link Lease} JSON, tombstone = lease gone. */
    public static final String LEASES = "chainboot.leases";
    /**
     * Compacted; key = {@code dhcp-<index>}, value = a dhcp-service HA heartbeat (docs/dhcp-ha.md).
     * Only dhcp-service instances with {@code chainboot.dhcp.ha.enabled} read and write it.
     */
    public static final String DHCP_HA = "chainboot.dhcp-ha";

    /** How long boot events are kept: a week of history to re-fold from. */
    public static final long BOOT_EVENTS_RETENTION_MS = TimeUnit.DAYS.toMillis(7);

    /** A topic and its topic-level configs (Kafka's own keys, e.g. {@code cleanup.policy}). */
    public record Topic(String name, Map<String, String> configs) {
        public Topic {
            configs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(configs));
        }
    }

    /** The topics Chainboot creates: the events, the two compacted tables, and dhcp-service's HA heartbeats. */
    public static final List<Topic> ALL = List.of(
            new Topic(BOOT_EVENTS, Map.of("retention.ms", Long.toString(BOOT_EVENTS_RETENTION_MS))),
            new Topic(MACHINES, Map.of("cleanup.policy", "compact")),
            new Topic(LEASES, Map.of("cleanup.policy", "compact")),
            new Topic(DHCP_HA, Map.of("cleanup.policy", "compact")));

    private Topics() {
    }
}
