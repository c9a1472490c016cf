package io.chainboot.inventory.machines;

import io.chainboot.events.EventJson;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.inventory.store.MachineEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Writes to machines: the row and its outbox record in one transaction. */
@ApplicationScoped
public class MachineService {
    private static final Logger LOG = Logger.getLogger(MachineService.class);

    private final Outbox outbox;

    public MachineService(Outbox outbox) {
        this.outbox = outbox;
    }

    public enum Change { CREATED, UPDATED, UNCHANGED }

    /** Creates or replaces the machine's spec; publishes only when the spec really changed. */
    @Transactional
    public Change put(MachineSpec spec, String origin) {
        String mac = spec.mac().toString();
        MachineEntity m = MachineEntity.findById(mac);
        Instant now = spec.updatedAt() == null ? Instant.now() : spec.updatedAt();
        if (m != null) {
            Optional<MachineSpec> old = spec(m);
            if (old.isPresent() && sameContent(old.get(), spec)) {
                return Change.UNCHANGED;
            }
            write(m, spec); // origin stays who created it: the file prunes only machines it created
            m.updatedAt = now;
            outbox.machineChanged(spec);
            LOG.infof("%s spec updated (%s)", mac, origin);
            return Change.UPDATED;
        }
        m = new MachineEntity();
        m.mac = mac;
        m.firstSeen = now;
        m.lastSeen = now;
        m.updatedAt = now;
        m.uuid = spec.uuid();
        m.origin = origin;
        write(m, spec);
        m.persist();
        outbox.machineChanged(spec);
        LOG.infof("%s created (%s)", mac, origin);
        return Change.CREATED;
    }

    /** The machine's current spec, if it exists. */
    @Transactional
    public Optional<MachineSpec> spec(MacAddress mac) {
        MachineEntity m = MachineEntity.findById(mac.toString());
        return m == null ? Optional.empty() : spec(m);
    }

    @Transactional
    public boolean delete(MacAddress mac) {
        boolean gone = MachineEntity.deleteById(mac.toString());
        if (gone) {
            outbox.machineDeleted(mac);
            LOG.infof("%s deleted", mac);
        }
        return gone;
    }

    /**
     * Deletes the machines of {@code origin} whose MAC is not in {@code keep}, each with its
     * tombstone, in one transaction; returns how many.
     */
    @Transactional
    public int prune(String origin, java.util.Set<String> keep) {
        int n = 0;
        for (MachineEntity m : MachineEntity.<MachineEntity>list("origin = ?1", origin)) {
            if (!keep.contains(m.mac)) {
                m.delete();
                outbox.machineDeleted(MacAddress.parse(m.mac));
                LOG.infof("%s deleted: no longer in the machines file", m.mac);
                n++;
            }
        }
        return n;
    }

    private static void write(MachineEntity m, MachineSpec spec) {
        m.spec = new String(EventJson.encode(spec), StandardCharsets.UTF_8);
        m.hostname = spec.hostname();
        m.profile = spec.profile();
        if (spec.uuid() != null) {
            m.uuid = spec.uuid();
        }
    }

    public static Optional<MachineSpec> spec(MachineEntity m) {
        return EventJson.decodeMachine(m.spec.getBytes(StandardCharsets.UTF_8)) instanceof io.chainboot.events.Decoded.Valid<MachineSpec> v
                ? Optional.of(v.value()) : Optional.empty();
    }

    /** Equal apart from {@code updatedAt}. */
    static boolean sameContent(MachineSpec a, MachineSpec b) {
        return Objects.equals(a.uuid(), b.uuid()) && Objects.equals(a.hostname(), b.hostname())
                && Objects.equals(a.reservedIp(), b.reservedIp()) && Objects.equals(a.profile(), b.profile())
                && a.labels().equals(b.labels()) && a.params().equals(b.params())
                && Objects.equals(a.disk(), b.disk()) && a.chap().equals(b.chap())
                && a.netboot() == b.netboot() && Objects.equals(a.bootFile(), b.bootFile());
    }
}
