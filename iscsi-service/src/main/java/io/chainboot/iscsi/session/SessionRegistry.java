package io.chainboot.iscsi.session;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sessions in full feature phase, by TSIH and by initiator port (name + ISID) for session
 * reinstatement (RFC 7143 §6.3.5: a new login with the ISID of a live session and TSIH 0 replaces it).
 */
public final class SessionRegistry {
    private final Map<Integer, Connection> byTsih = new ConcurrentHashMap<>();
    private final AtomicInteger nextTsih = new AtomicInteger(1);

    public boolean exists(int tsih) {
        return byTsih.containsKey(tsih);
    }

    /** A TSIH not in use (1..65535; 0 is reserved). */
    public int allocateTsih() {
        while (true) {
            int t = nextTsih.getAndUpdate(v -> v >= 0xffff ? 1 : v + 1);
            if (!byTsih.containsKey(t)) {
                return t;
            }
        }
    }

    /** Registers a new session, returning the session it reinstates (same initiator, ISID and target), if any. */
    public Optional<Connection> register(Connection c) {
        Optional<Connection> old = byTsih.values().stream()
                .filter(o -> o != c && o.initiatorName().equals(c.initiatorName()) && o.isid().equals(c.isid())
                        && java.util.Objects.equals(o.targetName(), c.targetName()))
                .findFirst();
        byTsih.put(c.tsih(), c);
        return old;
    }

    public void remove(Connection c) {
        byTsih.remove(c.tsih(), c);
    }

    public Collection<Connection> all() {
        return List.copyOf(byTsih.values());
    }
}
