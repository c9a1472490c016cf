package io.chainboot.common;

import io.chainboot.events.Decoded;
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
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link LeaseDirectory} fed by the compacted leases topic. A record is kept as it came and decoded
 * only when its address is looked up: every lease the DHCP service writes reaches this view, but
 * only the few addresses that fetch a file or log in are ever asked for.
 */
@ApplicationScoped
@DefaultBean
public class KafkaLeaseDirectory implements LeaseDirectory {
    private static final Logger LOG = Logger.getLogger(KafkaLeaseDirectory.class);
    private final Map<String, byte[]> records = new ConcurrentHashMap<>();
    private final CompactedTopicView view;
    private final boolean enabled;

    public KafkaLeaseDirectory(CommonConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.enabled = config.kafkaEnabled();
        this.view = new CompactedTopicView(bootstrap, Topics.LEASES, new CompactedTopicView.Sink() {
            @Override
            public void put(String key, byte[] value, long offset) {
                records.put(key, value);
            }

            @Override
            public void remove(String key) {
                records.remove(key);
            }

            @Override
            public int size() {
                return records.size();
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
    public Optional<Lease> byIp(Ipv4Address ip) {
        byte[] record = records.get(ip.toString());
        if (record == null) {
            return Optional.empty();
        }
        Decoded<Lease> decoded = EventJson.decodeLease(record);
        if (decoded instanceof Decoded.Valid<Lease> v) {
            return Optional.of(v.value());
        }
        LOG.warnf("%s: bad record for %s: %s", Topics.LEASES, ip, ((Decoded.Invalid<Lease>) decoded).reason());
        return Optional.empty();
    }
}
