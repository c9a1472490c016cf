package io.chainboot.inventory.machines;

import io.chainboot.events.EventJson;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Topics;
import io.chainboot.inventory.store.OutboxEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;

/**
 * The transactional outbox: a change to a machine and the record announcing it on the compacted
 * {@link Topics#MACHINES} topic are written in the same transaction ({@code MANDATORY}), and
 * {@link OutboxRelay} publishes them afterwards. A crash between the two only delays the publish.
 */
@ApplicationScoped
public class Outbox {

    @Transactional(Transactional.TxType.MANDATORY)
    public void machineChanged(MachineSpec spec) {
        add(spec.mac().toString(), EventJson.encode(spec));
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void machineDeleted(MacAddress mac) {
        add(mac.toString(), null);
    }

    private static void add(String key, byte[] payload) {
        OutboxEntity row = new OutboxEntity();
        row.topic = Topics.MACHINES;
        row.key = key;
        row.payload = payload;
        row.createdAt = Instant.now();
        row.persist();
    }
}
