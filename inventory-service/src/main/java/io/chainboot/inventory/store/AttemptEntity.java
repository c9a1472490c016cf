package io.chainboot.inventory.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** One boot attempt as last computed by {@link io.chainboot.inventory.boot.BootTracker}. */
@Entity
@Table(name = "boot_attempt")
public class AttemptEntity extends PanacheEntityBase {
    @Id
    public UUID id;
    public String mac;
    @Column(name = "started_at")
    public Instant startedAt;
    public String stage;
    @Column(name = "stage_since")
    public Instant stageSince;
    public String progress;
    public String reason;
    public String profile;
    public String reached;
    @Column(name = "boot_millis")
    public Long bootMillis;
    /** The machine's most recent attempt (its current state). */
    public boolean latest;
    /** Normal-session iSCSI logins seen in the attempt (the second one means OS_RUNNING); null on rows older than V2. */
    @Column(name = "normal_logins")
    public Integer normalLogins;
    /** The attempt's last script attaches no SAN: it does not stall at SCRIPT (Attempt#handedOff); null before V5. */
    @Column(name = "handed_off")
    public Boolean handedOff;
}
