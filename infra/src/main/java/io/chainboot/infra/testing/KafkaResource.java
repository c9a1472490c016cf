package io.chainboot.infra.testing;

import io.chainboot.infra.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Quarkus test resource: a real Kafka broker (shared by every test class of the module run) and
 * {@code kafka.bootstrap.servers} pointing at it. Use {@code @WithTestResource(KafkaResource.class)}.
 */
public class KafkaResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        KafkaBroker broker = KafkaBroker.shared();
        return Map.of("kafka.bootstrap.servers", broker.bootstrapServers(),
                "chainboot.common.kafka-enabled", "true");
    }

    @Override
    public void stop() {
        // shared across test classes; stopped by a shutdown hook when the test JVM exits
    }
}
