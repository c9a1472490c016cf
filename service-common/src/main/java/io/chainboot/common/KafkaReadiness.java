package io.chainboot.common;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Readiness of the Kafka connection, probed every few seconds in the background so that a health
 * request never waits on the broker. While Kafka is down the service still serves boots (events
 * are buffered); readiness says so.
 */
@ApplicationScoped
@Default // also injectable without the @Readiness qualifier
@Readiness
public class KafkaReadiness implements HealthCheck {
    private final String bootstrap;
    private final boolean enabled;
    private volatile boolean reachable;
    private volatile String detail = "not probed yet";
    private volatile Instant lastOk;
    private ScheduledExecutorService probe;
    private Admin admin;

    public KafkaReadiness(CommonConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.bootstrap = bootstrap;
        this.enabled = config.kafkaEnabled();
    }

    void start(@Observes StartupEvent ev) {
        if (!enabled) {
            return;
        }
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "chainboot-health",
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000"));
        probe = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafka-probe");
            t.setDaemon(true);
            return t;
        });
        probe.scheduleWithFixedDelay(this::check, 0, 3, TimeUnit.SECONDS);
    }

    private void check() {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(2500)).clusterId().get(3, TimeUnit.SECONDS);
            reachable = true;
            lastOk = Instant.now();
            detail = "reachable";
        } catch (Exception e) {
            reachable = false;
            detail = "unreachable: " + (e.getCause() != null ? e.getCause().getMessage() : e.toString());
        }
    }

    public boolean reachable() {
        return !enabled || reachable;
    }

    void stop(@Observes ShutdownEvent ev) {
        if (probe != null) {
            probe.shutdownNow();
            admin.close();
        }
    }

    @Override
    public HealthCheckResponse call() {
        if (!enabled) {
            return HealthCheckResponse.named("kafka").up().withData("kafka", "disabled").build();
        }
        return HealthCheckResponse.named("kafka").status(reachable)
                .withData("bootstrap", bootstrap)
                .withData("state", detail)
                .withData("lastOk", String.valueOf(lastOk))
                .build();
    }
}
