package io.chainboot.common;

import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.Topics;
import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.Inet6Address;
import java.util.Optional;

/**
 * {@link LeaseDirectory} fed by the compacted leases topic, DHCPv4 and DHCPv6 leases alike. A record is kept as
 * it came and decoded only when its address is looked up ({@link LeaseRecords}): every lease the DHCP service
 * writes reaches this view, but only the few addresses that fetch a file or log in are ever asked for.
 */
@ApplicationScoped
@DefaultBean
public class KafkaLeaseDirectory implements LeaseDirectory {
    private final LeaseRecords records = new LeaseRecords();
    private final CompactedTopicView view;
    private final boolean enabled;

    public KafkaLeaseDirectory(CommonConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.enabled = config.kafkaEnabled();
        this.view = new CompactedTopicView(bootstrap, Topics.LEASES, records);
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
        return records.byIp(ip);
    }

    @Override
    public Optional<Lease> byIpv6(Inet6Address ip) {
        return records.byIpv6(ip);
    }
}
