package io.chainboot.common;

import io.chainboot.events.EventJson;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Topics;
import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** {@link MachineDirectory} fed by the compacted machines topic. */
@ApplicationScoped
@DefaultBean
public class KafkaMachineDirectory implements MachineDirectory {
    private final Map<String, MachineSpec> byUuid = new ConcurrentHashMap<>();
    private final CompactedTopicView<MachineSpec> view;
    private final boolean enabled;

    public KafkaMachineDirectory(CommonConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.enabled = config.kafkaEnabled();
        this.view = new CompactedTopicView<>(bootstrap, Topics.MACHINES, EventJson::decodeMachine, this::changed);
    }

    void start(@Observes StartupEvent ev) {
        if (enabled) {
            view.start();
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        view.close();
    }

    private void changed(String key, MachineSpec spec) {
        byUuid.values().removeIf(s -> s.mac().toString().equals(key));
        if (spec != null && spec.uuid() != null) {
            byUuid.put(spec.uuid().toLowerCase(Locale.ROOT), spec);
        }
    }

    @Override
    public Optional<MachineSpec> byMac(MacAddress mac) {
        return Optional.ofNullable(view.get(mac.toString()));
    }

    @Override
    public Optional<MachineSpec> byUuid(String uuid) {
        return uuid == null ? Optional.empty() : Optional.ofNullable(byUuid.get(uuid.toLowerCase(Locale.ROOT)));
    }

    @Override
    public Collection<MachineSpec> all() {
        return view.snapshot().values();
    }

    @Override
    public boolean loaded() {
        return !enabled || view.caughtUp();
    }

    /** How many machines the view holds. */
    public int size() {
        return view.snapshot().size();
    }
}
