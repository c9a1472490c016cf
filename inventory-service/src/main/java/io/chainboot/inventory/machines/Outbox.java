package io.chainboot.inventory.machines;

import io.chainboot.events.BootEvent;
import io.chainboot.events.EventJson;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Topics;
import io.chainboot.inventory.store.ArrayRows;
import io.chainboot.inventory.store.OutboxEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.hibernate.Session;

import java.nio.charset.StandardCharsets;
import java.util.List;

import java.time.Instant;

/**
 * The transactional outbox: a change to a machine and the record announcing it on the compacted
 * {@link Topics#MACHINES} topic — or an event inventory produced and the state change it records —
 * are written in the same transaction ({@code MANDATORY}), and
 * {@link OutboxRelay} publishes them afterwards. A crash between the two only delays the publish.
 */
@ApplicationScoped
public class Outbox {
    private final EntityManager em;
    private final TransactionSynchronizationRegistry tx;
    private final OutboxSignal signal;

    public Outbox(EntityManager em, TransactionSynchronizationRegistry tx, OutboxSignal signal) {
        this.em = em;
        this.tx = tx;
        this.signal = signal;
    }

    /** Once per transaction: when it commits, the relay is woken to publish its rows. */
    private void wakeRelayOnCommit() {
        if (tx.getResource(OutboxSignal.class) != null) {
            return;
        }
        tx.putResource(OutboxSignal.class, Boolean.TRUE);
        tx.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    signal.raise();
                }
            }
        });
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void machineChanged(MachineSpec spec) {
        add(spec.mac().toString(), EventJson.encode(spec));
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void machineDeleted(MacAddress mac) {
        add(mac.toString(), null);
    }

    /**
     * An event inventory produced itself ({@code machine.registered}, {@code boot.stalled}), for
     * {@link Topics#BOOT_EVENTS}, keyed like every service's events.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void event(BootEvent e) {
        add(Topics.BOOT_EVENTS, e.key(), EventJson.encode(e));
    }

    /** A record to append with {@link #appendAll}. */
    public record Pending(String topic, String key, byte[] payload) {
        public static Pending event(BootEvent e) {
            return new Pending(Topics.BOOT_EVENTS, e.key(), EventJson.encode(e));
        }

        public static Pending machine(MachineSpec spec) {
            return new Pending(Topics.MACHINES, spec.mac().toString(), EventJson.encode(spec));
        }
    }

    /** Many records in one statement, in order (the relay publishes by id). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void appendAll(List<Pending> rows) {
        if (rows.isEmpty()) {
            return;
        }
        wakeRelayOnCommit();
        ArrayRows columns = new ArrayRows("text", "text", "text");
        for (Pending p : rows) {
            columns.add(p.topic(), p.key(), p.payload() == null ? null : new String(p.payload(), StandardCharsets.UTF_8));
        }
        em.unwrap(Session.class).doReturningWork(c -> columns.update(c, "insert into outbox (topic, msg_key, payload, "
                + "created_at) select t, k, convert_to(p, 'UTF8'), now() from unnest(?::text[], ?::text[], ?::text[]) "
                + "with ordinality as r(t, k, p, n) order by n"));
    }

    private void add(String key, byte[] payload) {
        add(Topics.MACHINES, key, payload);
    }

    private void add(String topic, String key, byte[] payload) {
        wakeRelayOnCommit();
        OutboxEntity row = new OutboxEntity();
        row.topic = topic;
        row.key = key;
        row.payload = payload;
        row.createdAt = Instant.now();
        row.persist();
    }
}
