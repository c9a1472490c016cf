package io.chainboot.common;

import io.chainboot.events.Names;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** Settings every Chainboot service shares. The Kafka address is Quarkus' own {@code kafka.bootstrap.servers}. */
@ConfigMapping(prefix = "chainboot.common")
public interface CommonConfig {

    /** Instance name in each event's {@code source}; defaults to the host name. */
    Optional<String> instance();

    /** Events held while Kafka is unreachable; past this, events are dropped and counted. */
    @WithDefault("100000")
    int eventBuffer();

    /** Naming authority of every IQN ({@link Names}). */
    @WithDefault(Names.DEFAULT_IQN_PREFIX)
    String iqnPrefix();

    /** The secret CHAP secrets are derived from ({@link Names#chapSecret}); script and iscsi services must agree. */
    Optional<String> clusterSecret();

    /** Exit when standard input closes: set by the launcher so that children die with it. */
    @WithDefault("false")
    boolean dieWithParent();

    /**
     * This service decides boots from the machine view (dhcp, script, iscsi set it in their own
     * application.properties): readiness stays DOWN until the view has read chainboot.machines to
     * its end, and no boot decision is made before ({@link MachineDirectory#loaded}).
     */
    @WithDefault("false")
    boolean decidesBoots();

    /** Whether to connect to Kafka at all (false only in unit tests that replace the Kafka-backed beans). */
    @WithDefault("true")
    boolean kafkaEnabled();
}
