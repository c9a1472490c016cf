package io.chainboot.inventory.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A consumed boot event, once (read side; inserts go through {@link Store#insertEvent}). */
@Entity
@Table(name = "boot_event")
public class EventEntity extends PanacheEntityBase {
    @Id
    public UUID id;
    @Column(insertable = false, updatable = false)
    public long seq;
    public String mac;
    public String ip;
    public String type;
    public Instant time;
    public String source;
    public String payload;
    @Column(name = "received_at", insertable = false, updatable = false)
    public Instant receivedAt;
}
