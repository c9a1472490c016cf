package io.chainboot.inventory.live;

import javax.sql.DataSource;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The channel every inventory replica sees: PostgreSQL {@code NOTIFY chainboot_live} (every
 * replica already uses the same database). {@link #publish} sends a {@link LiveNotice} after the
 * change is committed; each replica {@code LISTEN}s on one connection of its own (not from the
 * pool: it is held open) and hands every other replica's notice to {@link LiveUpdates}. Boot
 * events are consumed by one replica per partition and API writes are handled by the replica the
 * edge chose, so without this a console would only see what its own replica did.
 *
 * <p>While the listening connection is down (PostgreSQL restarting), other replicas' changes are
 * missed — logged once — and it reconnects every 2 s; the console reloads its machine list when its
 * own stream reconnects, and the next change of a machine carries its whole row. A notice that
 * cannot be sent (PostgreSQL down) is dropped with a DEBUG line: the change it describes could not
 * have been committed either, except for image/disk/profile writes, which the other replicas'
 * consoles then see at their next reload.
 */
@ApplicationScoped
public class ReplicaBus {
    static final String CHANNEL = "chainboot_live";
    private static final Logger LOG = Logger.getLogger(ReplicaBus.class);

    private final String self = UUID.randomUUID().toString();
    private final DataSource dataSource;
    private final boolean enabled;
    private final String url;
    private final String user;
    private final Optional<String> password;
    private volatile boolean running;
    private volatile Connection listening;
    private volatile boolean connected;
    private Thread listener;

    public ReplicaBus(DataSource dataSource, io.chainboot.inventory.config.InventoryConfig config,
                      @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
                      @ConfigProperty(name = "quarkus.datasource.username") String user,
                      @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.dataSource = dataSource;
        this.enabled = config.liveAcrossReplicas();
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** This replica's id in the notices it sends. */
    public String self() {
        return self;
    }

    /** Whether the listening connection is up (for tests and the log). */
    public boolean connected() {
        return connected;
    }

    /** Starts listening; {@code deliver} gets every notice of another replica, on the listener thread. */
    synchronized void start(Consumer<LiveNotice> deliver) {
        if (!enabled || listener != null) {
            return;
        }
        running = true;
        listener = new Thread(() -> listen(deliver), "live-replica-bus");
        listener.setDaemon(true);
        listener.start();
    }

    @PreDestroy
    synchronized void stop() {
        running = false;
        Connection c = listening;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        if (listener != null) {
            listener.interrupt();
        }
    }

    /** Sends {@code notice} to every replica (this one ignores it); never throws. */
    void publish(LiveNotice notice) {
        if (!enabled) {
            return;
        }
        String payload = notice.encode();
        if (payload.length() > LiveNotice.MAX_PAYLOAD) {
            LOG.warnf("live notice of %d bytes not sent (limit %d)", payload.length(), LiveNotice.MAX_PAYLOAD);
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("select pg_notify(?, ?)")) {
            ps.setString(1, CHANNEL);
            ps.setString(2, payload);
            ps.execute();
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("live notice not sent to the other replicas: %s", e.toString());
        }
    }

    private void listen(Consumer<LiveNotice> deliver) {
        boolean warned = false;
        while (running) {
            try (Connection c = DriverManager.getConnection(url, user, password.orElse(null))) {
                listening = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                connected = true;
                if (warned) {
                    LOG.infof("live notices of the other replicas: listening again");
                    warned = false;
                }
                while (running) {
                    PGNotification[] got = pg.getNotifications(1000);
                    if (got == null) {
                        continue;
                    }
                    for (PGNotification n : got) {
                        LiveNotice.decode(n.getParameter()).filter(x -> !x.origin().equals(self)).ifPresent(x -> {
                            try {
                                deliver.accept(x);
                            } catch (RuntimeException e) {
                                LOG.debugf("live notice %s not delivered: %s", x.kind(), e.toString());
                            }
                        });
                    }
                }
            } catch (SQLException | RuntimeException e) {
                connected = false;
                if (!running) {
                    return;
                }
                if (!warned) {
                    LOG.warnf("live notices of the other replicas: not listening (%s); retrying every 2 s", e.getMessage());
                    warned = true;
                }
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException ie) {
                    return;
                }
            } finally {
                connected = false;
                listening = null;
            }
        }
    }
}
