package io.chainboot.inventory.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A machine: its spec (the chainboot.machines value) and what was seen of it. */
@Entity
@Table(name = "machine")
public class MachineEntity extends PanacheEntityBase {
    @Id
    public String mac;
    @Column(nullable = false)
    public String spec;
    public String hostname;
    public String profile;
    public String uuid;
    public Integer arch;
    @Column(name = "vendor_class")
    public String vendorClass;
    @Column(name = "last_ip")
    public String lastIp;
    @Column(nullable = false)
    public String origin;
    @Column(name = "first_seen", nullable = false)
    public Instant firstSeen;
    @Column(name = "last_seen", nullable = false)
    public Instant lastSeen;
    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
