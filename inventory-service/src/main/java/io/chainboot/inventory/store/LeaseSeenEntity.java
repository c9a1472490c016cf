package io.chainboot.inventory.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** The latest DHCP lease seen for an IP: how IP-keyed events find their machine. */
@Entity
@Table(name = "lease_seen")
public class LeaseSeenEntity extends PanacheEntityBase {
    @Id
    public String ip;
    public String mac;
    public Instant time;
}
