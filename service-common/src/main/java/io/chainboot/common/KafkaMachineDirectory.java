package io.chainboot.common;

import io.chainboot.events.Decoded;
import io.chainboot.events.EventJson;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Topics;
import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.Optional;

/** {@link MachineDirectory} fed by the compacted machines topic, held in a {@link MachineIndex}. */
@ApplicationScoped
@DefaultBean
public class KafkaMachineDirectory implements MachineDirectory {
    private static final Logger LOG = Logger.getLogger(KafkaMachineDirectory.class);
    private final MachineIndex index = new MachineIndex();
    private final CompactedTopicView view;
    private final boolean enabled;

    public KafkaMachineDirectory(CommonConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.enabled = config.kafkaEnabled();
        this.view = new CompactedTopicView(bootstrap, Topics.MACHINES, new CompactedTopicView.Sink() {
            @Override
            public void put(String key, byte[] value, long offset) {
                Decoded<MachineSpec> decoded = EventJson.decodeMachine(value);
                if (decoded instanceof Decoded.Valid<MachineSpec> v) {
                    index.put(v.value());
                } else if (decoded instanceof Decoded.Invalid<MachineSpec> i) {
                    LOG.warnf("%s: skipped bad record for key %s at offset %d: %s", Topics.MACHINES, key, offset, i.reason());
                }
            }

            @Override
            public void remove(String key) {
                try {
                    index.remove(MacAddress.parse(key));
                } catch (IllegalArgumentException e) {
                    LOG.warnf("%s: skipped tombstone with a key that is not a MAC: %s", Topics.MACHINES, key);
                }
            }

            @Override
            public int size() {
                return index.size();
            }
        });
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
    public Optional<MachineSpec> byMac(MacAddress mac) {
        return index.byMac(mac);
    }

    @Override
    public Optional<MachineSpec> byUuid(String uuid) {
        return index.byUuid(uuid);
    }

    @Override
    public Optional<MacAddress> reservedBy(Ipv4Address ip) {
        return index.reservedBy(ip);
    }

    @Override
    public Collection<MachineSpec> all() {
        return index.all();
    }

    @Override
    public long changes() {
        return index.changes();
    }

    @Override
    public boolean loaded() {
        return !enabled || view.caughtUp();
    }

    /** How many machines the view holds. */
    public int size() {
        return index.size();
    }
}
