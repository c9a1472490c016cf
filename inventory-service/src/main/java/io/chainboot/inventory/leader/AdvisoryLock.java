package io.chainboot.inventory.leader;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A PostgreSQL session-level advisory lock ({@code pg_try_advisory_lock}) held on a connection of
 * its own: whoever holds it is the leader, until its session ends — a closed connection, a killed
 * process or a PostgreSQL restart all release it, and the next {@link #holdOrTry} of another
 * contender takes it. Thread-safe.
 */
public final class AdvisoryLock implements AutoCloseable {

    /** Opens a new, unpooled connection (the lock lives as long as it does). */
    public interface Connector {
        Connection open() throws SQLException;
    }

    private final Connector connector;
    private final long key;
    private Connection held;

    public AdvisoryLock(Connector connector, long key) {
        this.connector = connector;
        this.key = key;
    }

    /**
     * True while the lock is held: checks that the holding session is still alive, otherwise
     * drops it and tries to take the lock on a new connection. Never throws.
     */
    public synchronized boolean holdOrTry() {
        if (held != null) {
            try {
                if (held.isValid(2)) {
                    return true;
                }
            } catch (SQLException e) {
                // fall through: the session is gone, and the lock with it
            }
            closeQuietly(held);
            held = null;
        }
        Connection c = null;
        try {
            c = connector.open();
            try (PreparedStatement s = c.prepareStatement("select pg_try_advisory_lock(?)")) {
                s.setLong(1, key);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        held = c;
                        return true;
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            // PostgreSQL unreachable: not the leader now, try again later
        }
        closeQuietly(c);
        return false;
    }

    /** Whether the lock was held at the last {@link #holdOrTry}. */
    public synchronized boolean held() {
        return held != null;
    }

    /** Releases the lock (by ending its session). */
    @Override
    public synchronized void close() {
        closeQuietly(held);
        held = null;
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException | RuntimeException e) {
                // already gone
            }
        }
    }
}
