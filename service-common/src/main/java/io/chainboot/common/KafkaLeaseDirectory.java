package io.chainboot.common;

import io.chainboot.events.EventJson;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.Topics;
import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/** {@link LeaseDirectory} fed by the compacted leases topic. */
@ApplicationScoped
@DefaultBean
public class KafkaLeaseDirectory implements LeaseDirectory {
    private final CompactedTopicView<Lease> view;
    private final boolean enabled;

    public KafkaLeaseDirectory(CommonConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.enabled = config.kafkaEnabled();
        this.view = new CompactedTopicView<>(bootstrap, Topics.LEASES, EventJson::decodeLease, (k, v) -> { });
    }

    void start(@Observes StartupEvent ev) {
        if (enabled) {
            view.start();
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        view.close();
    }

    @Override
    public Optional<Lease> byIp(Ipv4Address ip) {
        return Optional.ofNullable(view.get(ip.toString()));
    }
}
