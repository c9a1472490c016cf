package io.chainboot.iscsi.scsi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One logical unit: its block device, its identity (NAA designator), its mode parameters and its
 * per-nexus unit attention queues (SAM-5 §5.14, SPC-4 §5.14 "unit attention condition").
 */
final class LogicalUnit {
    /** The target's IQN (INQUIRY's device identification names it). */
    final String targetName;
    final int lun;
    final BlockDevice device;
    /** NAA 6 designator (SPC-4 §7.8.6.6.5), 16 bytes, stable for target name + LUN. */
    final byte[] naa;
    /** Caching mode page WCE (SBC-3 §6.4.5): when false every write is forced to stable storage. */
    volatile boolean writeCacheEnabled = true;
    volatile boolean preventRemoval;
    /** Persistent reservations and the SPC-2 RESERVE(6) reservation of this LU. */
    final Reservations reservations;

    private final Map<Nexus, ConcurrentLinkedQueue<Integer>> unitAttentions = new ConcurrentHashMap<>();

    LogicalUnit(String targetName, int lun, BlockDevice device) throws java.io.IOException {
        this.targetName = targetName;
        this.lun = lun;
        this.device = device;
        this.naa = naaOf(targetName, lun);
        this.reservations = new Reservations(targetName,
                device.reservationsFile().map(ReservationStore::file).orElse(ReservationStore.MEMORY));
    }

    static byte[] naaOf(String targetName, int lun) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest((targetName + "#" + lun).getBytes(StandardCharsets.UTF_8));
            byte[] id = new byte[16];
            System.arraycopy(h, 0, id, 0, 16);
            id[0] = (byte) (0x60 | (id[0] & 0x0F)); // NAA 6: IEEE Registered Extended
            return id;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private ConcurrentLinkedQueue<Integer> queueOf(Nexus nexus) {
        ConcurrentLinkedQueue<Integer> q = unitAttentions.get(nexus); // lock-free on the command path
        if (q != null) {
            return q;
        }
        return unitAttentions.computeIfAbsent(nexus, n -> {
            // A nexus first seen gets POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (SAM-5 §6.3.2).
            ConcurrentLinkedQueue<Integer> fresh = new ConcurrentLinkedQueue<>();
            fresh.add(Sense.POWER_ON_RESET);
            return fresh;
        });
    }

    /** Removes and returns the oldest pending unit attention (ASC/ASCQ) for this nexus, or -1. */
    int takeUnitAttention(Nexus nexus) {
        Integer ua = queueOf(nexus).poll();
        return ua == null ? -1 : ua;
    }

    /** Raises a unit attention for every nexus (known now or first seen later, which get POWER ON anyway). */
    void raiseForAll(int ascAscq, Nexus except) {
        for (Map.Entry<Nexus, ConcurrentLinkedQueue<Integer>> e : unitAttentions.entrySet()) {
            if (e.getKey().equals(except)) {
                continue;
            }
            ConcurrentLinkedQueue<Integer> q = e.getValue();
            synchronized (q) { // raisers serialise among themselves; takers poll lock-free
                if (ascAscq == Sense.POWER_ON_RESET) {
                    q.clear(); // a reset supersedes anything pending (SAM-5 §5.14)
                }
                if (!q.contains(ascAscq)) {
                    q.add(ascAscq);
                }
            }
        }
    }

    /** Queues a unit attention for one nexus (persistent reservation changes made by another nexus). */
    void raise(Nexus nexus, int ascAscq) {
        ConcurrentLinkedQueue<Integer> q = queueOf(nexus);
        synchronized (q) {
            if (!q.contains(ascAscq)) {
                q.add(ascAscq);
            }
        }
    }

    /**
     * LOGICAL UNIT RESET (SAM-5 §7.7): mode parameters back to defaults, PREVENT cleared, the SPC-2
     * reservation released (persistent reservations stay), UA everywhere.
     */
    void reset() {
        writeCacheEnabled = true;
        preventRemoval = false;
        reservations.reset();
        raiseForAll(Sense.POWER_ON_RESET, null);
    }

    void forget(Nexus nexus) {
        reservations.nexusLost(nexus);
        unitAttentions.remove(nexus);
    }
}
