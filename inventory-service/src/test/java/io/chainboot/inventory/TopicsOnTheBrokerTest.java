package io.chainboot.inventory;

import io.chainboot.common.testing.Eventually;
import io.chainboot.events.Topics;
import io.chainboot.infra.KafkaBroker;
import io.chainboot.infra.Ports;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The launcher's broker (KafkaMain) creates boot-events' {@link Topics#ALL}, with their configs. */
class TopicsOnTheBrokerTest {
    @Test
    void everyTopicExistsWithItsConfigs(@TempDir Path dir) throws Exception {
        // a broker of its own: the shared one may have been stopped by an earlier test class
        try (KafkaBroker broker = new KafkaBroker(dir, "127.0.0.1", Ports.free(), Ports.free()).start(Duration.ofSeconds(90));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            List<String> names = Topics.ALL.stream().map(Topics.Topic::name).toList();
            Eventually.until(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS).containsAll(names),
                    "topics " + names + " created", Duration.ofSeconds(60));
            Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
            for (Topics.Topic t : Topics.ALL) {
                assertThat(described.get(t.name()).partitions()).as(t.name()).hasSize(6);
                ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, t.name());
                Config config = admin.describeConfigs(List.of(r)).all().get(10, TimeUnit.SECONDS).get(r);
                t.configs().forEach((k, v) -> assertThat(config.get(k).value()).as(t.name() + " " + k).isEqualTo(v));
            }
        }
    }
}
