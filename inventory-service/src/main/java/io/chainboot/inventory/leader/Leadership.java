package io.chainboot.inventory.leader;

import io.chainboot.inventory.config.InventoryConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.sql.DriverManager;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Which instance runs the singletons — the stall detector and the outbox relay: the holder of the
 * advisory lock {@code chainboot.inventory.leader.lock-key}, re-checked (and, by the others,
 * re-tried) every {@code chainboot.inventory.leader.retry-every}. Every instance consumes its
 * partitions; only the leader declares stalls and relays the outbox. A leader that dies or loses
 * PostgreSQL loses the lock with its session; another instance takes over within one retry.
 */
@ApplicationScoped
public class Leadership {
    private static final Logger LOG = Logger.getLogger(Leadership.class);

    private final AdvisoryLock lock;
    private final long retryMillis;
    private volatile boolean leader;
    private ScheduledExecutorService timer;

    public Leadership(InventoryConfig config, @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
                      @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
                      @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.lock = new AdvisoryLock(() -> DriverManager.getConnection(url,
                user.orElse(null), password.orElse(null)), config.leader().lockKey());
        this.retryMillis = config.leader().retryEvery().toMillis();
    }

    /** Before the relay and the stall detector start (they ask {@link #isLeader}). */
    void start(@Observes @Priority(1) StartupEvent ev) {
        check();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "leadership");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::check, retryMillis, retryMillis, TimeUnit.MILLISECONDS);
    }

    private void check() {
        boolean now = lock.holdOrTry();
        if (now != leader) {
            LOG.infof(now ? "leader: this instance runs the stall detector and the outbox relay"
                    : "not the leader: another instance runs the stall detector and the outbox relay");
        }
        leader = now;
    }

    public boolean isLeader() {
        return leader;
    }

    void stop(@Observes ShutdownEvent ev) {
        if (timer != null) {
            timer.shutdownNow();
        }
        leader = false;
        lock.close();
    }
}
