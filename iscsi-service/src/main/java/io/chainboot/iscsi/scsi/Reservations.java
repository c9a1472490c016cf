package io.chainboot.iscsi.scsi;

import static io.chainboot.iscsi.scsi.Cdb.u16;
import static io.chainboot.iscsi.scsi.Cdb.u32;
import static io.chainboot.iscsi.scsi.Cdb.u64;

import io.chainboot.iscsi.scsi.SpcCommands.PrIn;
import io.chainboot.iscsi.scsi.SpcCommands.PrOut;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The reservations of one logical unit: SPC-4 persistent reservations (§5.12: registrations per I_T
 * nexus, the six reservation types, RESERVE/RELEASE/CLEAR/PREEMPT, a generation counter) and the older
 * SPC-2 RESERVE(6)/RELEASE(6) reservation. Decisions only: the caller passes the nexus, the CDB and the
 * parameter list, and gets the SCSI answer; unit attentions for other nexuses go to {@code raise}.
 *
 * <p>Persistent state (registrations, the reservation, the generation) is saved through a
 * {@link ReservationStore} before a command that changed it answers GOOD, so it survives a restart of
 * the service (and an I_T nexus loss, which only the SPC-2 reservation does not survive: SPC-2 §5.5.1).
 * A save that fails leaves the state as it was and answers INSUFFICIENT REGISTRATION RESOURCES.
 * Scope is always the LU; SPEC_I_PT, ALL_TG_PT, PREEMPT AND ABORT and REGISTER AND MOVE are not
 * supported (REPORT CAPABILITIES says so). APTPL is accepted, and the state always persists (PTPL_A=1).
 */
final class Reservations {
    static final int WRITE_EXCLUSIVE = 1;
    static final int EXCLUSIVE_ACCESS = 3;
    static final int WRITE_EXCLUSIVE_REGISTRANTS_ONLY = 5;
    static final int EXCLUSIVE_ACCESS_REGISTRANTS_ONLY = 6;
    static final int WRITE_EXCLUSIVE_ALL_REGISTRANTS = 7;
    static final int EXCLUSIVE_ACCESS_ALL_REGISTRANTS = 8;

    private final String targetName;
    private final ReservationStore store;

    /** Registered I_T nexuses and their keys, in order of registration. */
    private Map<Nexus, Long> registrations = new LinkedHashMap<>();
    /** The holder of a reservation whose type is not "all registrants"; null for those, or when unreserved. */
    private Nexus holder;
    /** The reservation type, 0 when unreserved. */
    private int type;
    private long generation;
    /** SPC-2 RESERVE(6) holder, not persistent. */
    private Nexus spc2Holder;

    Reservations(String targetName, ReservationStore store) throws IOException {
        this.targetName = targetName;
        this.store = store;
        String saved = store.load().orElse(null);
        if (saved != null) {
            try {
                restore(saved);
            } catch (RuntimeException e) {
                throw new IOException("persistent reservations in " + store + " unreadable: " + e, e);
            }
        }
    }

    // ---------------------------------------------------------------- access checks (SPC-4 §5.12.3, SPC-2 §5.5.1)

    /** Whether a command of this access kind from this nexus meets a RESERVATION CONFLICT. */
    synchronized boolean conflicts(Nexus n, CdbLayout.Access access) {
        if (access == CdbLayout.Access.ALWAYS) {
            return false;
        }
        if (spc2Holder != null && !spc2Holder.equals(n)) {
            return true;
        }
        if (type == 0 || access == CdbLayout.Access.STATUS || isHolder(n)) {
            return false;
        }
        boolean registered = registrations.containsKey(n);
        boolean read = access == CdbLayout.Access.READ;
        return switch (type) {
            case WRITE_EXCLUSIVE -> !read;
            case EXCLUSIVE_ACCESS -> true;
            case WRITE_EXCLUSIVE_REGISTRANTS_ONLY, WRITE_EXCLUSIVE_ALL_REGISTRANTS -> !registered && !read;
            case EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, EXCLUSIVE_ACCESS_ALL_REGISTRANTS -> !registered;
            default -> true;
        };
    }

    private static boolean allRegistrants(int type) {
        return type == WRITE_EXCLUSIVE_ALL_REGISTRANTS || type == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    private boolean isHolder(Nexus n) {
        return type != 0 && (allRegistrants(type) ? registrations.containsKey(n) : n.equals(holder));
    }

    // ---------------------------------------------------------------- SPC-2 RESERVE(6) / RELEASE(6)

    /** RESERVE(6) (SPC-2 §7.21): whole-LU reservation; under a persistent reservation only its holder gets GOOD. */
    synchronized ScsiResponse reserve6(Nexus n) {
        if (type != 0) {
            return isHolder(n) ? ScsiResponse.good() : conflict();
        }
        if (spc2Holder != null && !spc2Holder.equals(n)) {
            return conflict();
        }
        spc2Holder = n;
        return ScsiResponse.good();
    }

    /** RELEASE(6) (SPC-2 §7.17): releases this nexus's reservation; from anyone else GOOD and no effect. */
    synchronized ScsiResponse release6(Nexus n) {
        if (n.equals(spc2Holder)) {
            spc2Holder = null;
        }
        return ScsiResponse.good();
    }

    /** LOGICAL UNIT RESET / TARGET RESET release the SPC-2 reservation (SPC-2 §5.5.1); persistent ones stay. */
    synchronized void reset() {
        spc2Holder = null;
    }

    /** I_T nexus loss: the SPC-2 reservation of that nexus goes; registrations and persistent reservations stay. */
    synchronized void nexusLost(Nexus n) {
        if (n.equals(spc2Holder)) {
            spc2Holder = null;
        }
    }

    // ---------------------------------------------------------------- PERSISTENT RESERVE IN (SPC-4 §6.15)

    synchronized ScsiResponse in(byte[] cdb, Nexus n) {
        int sa = cdb[1] & 0x1F;
        int alloc = u16(cdb, 7);
        byte[] d;
        switch (sa) {
            case PrIn.READ_KEYS -> {
                d = new byte[8 + 8 * registrations.size()];
                Cdb.put32(d, 0, generation);
                Cdb.put32(d, 4, 8L * registrations.size()); // not reduced by the allocation length
                int o = 8;
                for (long key : registrations.values()) {
                    Cdb.put64(d, o, key);
                    o += 8;
                }
            }
            case PrIn.READ_RESERVATION -> {
                d = new byte[type == 0 ? 8 : 24];
                Cdb.put32(d, 0, generation);
                if (type != 0) {
                    Cdb.put32(d, 4, 16);
                    Cdb.put64(d, 8, allRegistrants(type) ? 0 : registrations.getOrDefault(holder, 0L));
                    d[21] = (byte) type; // SCOPE 0h (LU) in the high nibble
                }
            }
            case PrIn.REPORT_CAPABILITIES -> {
                d = new byte[8];
                Cdb.put16(d, 0, 8);
                d[2] = 0x10 | 0x01; // CRH (RESERVE(6) under a persistent reservation), PTPL_C
                d[3] = (byte) (0x80 | 0x01); // TMV: the type mask is valid; ALLOW COMMANDS 000b; PTPL_A
                d[4] = (byte) (0x80 | 0x40 | 0x20 | 0x08 | 0x02); // WR_EX_AR EX_AC_RO WR_EX_RO EX_AC WR_EX
                d[5] = 0x01; // EX_AC_AR
            }
            case PrIn.READ_FULL_STATUS -> d = fullStatus();
            default -> {
                return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 4));
            }
        }
        int len = Math.min(d.length, alloc);
        return ScsiResponse.good(ByteBuffer.wrap(d, 0, len).slice());
    }

    /** READ FULL STATUS (SPC-4 §6.15.5): one descriptor per registration with its iSCSI TransportID (§7.6.4.6). */
    private byte[] fullStatus() {
        List<byte[]> descs = new ArrayList<>();
        for (Map.Entry<Nexus, Long> e : registrations.entrySet()) {
            Nexus r = e.getKey();
            byte[] name = (r.initiatorName() + ",i,0x" + r.isid()).getBytes(StandardCharsets.UTF_8);
            int idLen = Math.max(20, (4 + name.length + 1 + 3) & ~3);
            byte[] d = new byte[24 + idLen];
            Cdb.put64(d, 0, e.getValue());
            if (isHolder(r)) {
                d[12] = 0x01; // R_HOLDER
                d[13] = (byte) type;
            }
            Cdb.put16(d, 18, 1); // RELATIVE TARGET PORT IDENTIFIER
            Cdb.put32(d, 20, idLen);
            d[24] = 0x45; // FORMAT CODE 01b (initiator port: name + ISID), PROTOCOL IDENTIFIER 5h (iSCSI)
            Cdb.put16(d, 26, idLen - 4);
            System.arraycopy(name, 0, d, 28, name.length);
            descs.add(d);
        }
        int total = descs.stream().mapToInt(x -> x.length).sum();
        byte[] out = new byte[8 + total];
        Cdb.put32(out, 0, generation);
        Cdb.put32(out, 4, total);
        int o = 8;
        for (byte[] d : descs) {
            System.arraycopy(d, 0, out, o, d.length);
            o += d.length;
        }
        return out;
    }

    // ---------------------------------------------------------------- PERSISTENT RESERVE OUT (SPC-4 §6.16)

    /** PERSISTENT RESERVE OUT with its 24-byte basic parameter list; {@code raise} gets unit attentions for others. */
    synchronized ScsiResponse out(byte[] cdb, ByteBuffer dataOut, Nexus n, BiConsumer<Nexus, Integer> raise) {
        if (spc2Holder != null && !spc2Holder.equals(n)) {
            return conflict();
        }
        int sa = cdb[1] & 0x1F;
        int scope = (cdb[2] >> 4) & 0x0F;
        int prType = cdb[2] & 0x0F;
        long len = u32(cdb, 5);
        if (len != 24) {
            return ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.PARAMETER_LIST_LENGTH_ERROR));
        }
        if (dataOut == null || dataOut.remaining() < 24) {
            return ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.PARAMETER_LIST_LENGTH_ERROR));
        }
        byte[] p = new byte[24];
        dataOut.duplicate().get(p);
        long key = u64(p, 0);
        long saKey = u64(p, 8);
        if ((p[20] & 0x08) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInParameterList(20, 3)); // SPEC_I_PT
        }
        if ((p[20] & 0x04) != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInParameterList(20, 2)); // ALL_TG_PT (ATP_C 0)
        }
        boolean needsType = sa == PrOut.RESERVE || sa == PrOut.RELEASE || sa == PrOut.PREEMPT;
        if (needsType && scope != 0) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(2, 7));
        }
        if (needsType && !validType(prType)) {
            return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(2, 3));
        }
        Snapshot before = snapshot();
        Long mine = registrations.get(n);
        List<Runnable> attentions = new ArrayList<>();
        ScsiResponse answer;
        switch (sa) {
            case PrOut.REGISTER, PrOut.REGISTER_AND_IGNORE -> {
                boolean ignore = sa == PrOut.REGISTER_AND_IGNORE;
                if (!ignore && (mine == null ? key != 0 : mine != key)) {
                    return conflict();
                }
                if (saKey == 0) {
                    if (mine == null) {
                        return ScsiResponse.good();
                    }
                    unregister(n, attentions, raise);
                } else {
                    registrations.put(n, saKey);
                }
                generation++;
                answer = ScsiResponse.good();
            }
            case PrOut.RESERVE -> {
                if (mine == null || mine != key) {
                    return conflict();
                }
                if (type != 0) {
                    return isHolder(n) && type == prType ? ScsiResponse.good() : conflict();
                }
                type = prType;
                holder = allRegistrants(prType) ? null : n;
                answer = ScsiResponse.good();
            }
            case PrOut.RELEASE -> {
                if (mine == null || mine != key) {
                    return conflict();
                }
                if (type == 0 || !isHolder(n)) {
                    return ScsiResponse.good();
                }
                if (type != prType) {
                    return ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.INVALID_RELEASE_OF_PERSISTENT_RESERVATION));
                }
                releaseReservation(n, attentions, raise);
                answer = ScsiResponse.good();
            }
            case PrOut.CLEAR -> {
                if (mine == null || mine != key) {
                    return conflict();
                }
                for (Nexus other : registrations.keySet()) {
                    if (!other.equals(n)) {
                        attentions.add(() -> raise.accept(other, Sense.RESERVATIONS_PREEMPTED));
                    }
                }
                registrations = new LinkedHashMap<>();
                type = 0;
                holder = null;
                generation++;
                answer = ScsiResponse.good();
            }
            case PrOut.PREEMPT -> {
                if (mine == null || mine != key) {
                    return conflict();
                }
                answer = preempt(n, saKey, prType, attentions, raise);
                if (answer.status() != ScsiResponse.GOOD) {
                    restore(before);
                    return answer;
                }
                generation++;
            }
            default -> {
                return ScsiResponse.checkCondition(Sense.invalidFieldInCdb(1, 4));
            }
        }
        try {
            store.save(encode());
        } catch (IOException e) {
            restore(before);
            return ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.INSUFFICIENT_REGISTRATION_RESOURCES));
        }
        attentions.forEach(Runnable::run);
        return answer;
    }

    private static boolean validType(int t) {
        return t == WRITE_EXCLUSIVE || t == EXCLUSIVE_ACCESS || (t >= WRITE_EXCLUSIVE_REGISTRANTS_ONLY
                && t <= EXCLUSIVE_ACCESS_ALL_REGISTRANTS);
    }

    /** Removes a registration; a holder's reservation goes with it (for "all registrants", with the last one). */
    private void unregister(Nexus n, List<Runnable> attentions, BiConsumer<Nexus, Integer> raise) {
        boolean wasHolder = isHolder(n);
        registrations.remove(n);
        if (wasHolder && (!allRegistrants(type) || registrations.isEmpty())) {
            releaseReservation(n, attentions, raise);
        }
    }

    /** SPC-4 §5.12.11.2: releasing a registrants-only or all-registrants reservation tells the other registrants. */
    private void releaseReservation(Nexus by, List<Runnable> attentions, BiConsumer<Nexus, Integer> raise) {
        if (type >= WRITE_EXCLUSIVE_REGISTRANTS_ONLY) {
            for (Nexus other : registrations.keySet()) {
                if (!other.equals(by)) {
                    attentions.add(() -> raise.accept(other, Sense.RESERVATIONS_RELEASED));
                }
            }
        }
        type = 0;
        holder = null;
    }

    /** PREEMPT (SPC-4 §5.12.11.4): removes the registrations of {@code saKey}, and takes over the reservation they held. */
    private ScsiResponse preempt(Nexus n, long saKey, int prType, List<Runnable> attentions,
            BiConsumer<Nexus, Integer> raise) {
        boolean takeOver;
        List<Nexus> removed = new ArrayList<>();
        if (type != 0 && allRegistrants(type)) {
            takeOver = saKey == 0;
            for (Map.Entry<Nexus, Long> e : registrations.entrySet()) {
                if (!e.getKey().equals(n) && (saKey == 0 || e.getValue() == saKey)) {
                    removed.add(e.getKey());
                }
            }
        } else {
            if (saKey == 0) {
                return ScsiResponse.checkCondition(Sense.invalidFieldInParameterList(8, -1));
            }
            takeOver = type != 0 && registrations.getOrDefault(holder, 0L) == saKey;
            for (Map.Entry<Nexus, Long> e : registrations.entrySet()) {
                if (e.getValue() == saKey && !(e.getKey().equals(n) && takeOver)) {
                    removed.add(e.getKey());
                }
            }
            if (removed.isEmpty() && !takeOver) {
                return conflict();
            }
        }
        for (Nexus r : removed) {
            registrations.remove(r);
            if (!r.equals(n)) {
                attentions.add(() -> raise.accept(r, Sense.REGISTRATIONS_PREEMPTED));
            }
        }
        if (takeOver) {
            type = prType;
            holder = allRegistrants(prType) ? null : n;
        }
        return ScsiResponse.good();
    }

    private static ScsiResponse conflict() {
        return new ScsiResponse(ScsiResponse.RESERVATION_CONFLICT, null, null);
    }

    // ---------------------------------------------------------------- persistence

    private record Snapshot(Map<Nexus, Long> registrations, Nexus holder, int type, long generation) {}

    private Snapshot snapshot() {
        return new Snapshot(new LinkedHashMap<>(registrations), holder, type, generation);
    }

    private void restore(Snapshot s) {
        registrations = new LinkedHashMap<>(s.registrations());
        holder = s.holder();
        type = s.type();
        generation = s.generation();
    }

    /**
     * The persistent state as text, one fact per line: {@code generation N}, {@code reservation TYPE
     * [initiator isid]}, {@code key HEX initiator isid}. Initiator names cannot contain blanks (RFC 3722).
     */
    synchronized String encode() {
        StringBuilder b = new StringBuilder("# chainboot persistent reservations of ").append(targetName).append('\n');
        b.append("generation ").append(generation).append('\n');
        if (type != 0) {
            b.append("reservation ").append(type);
            if (holder != null) {
                b.append(' ').append(holder.initiatorName()).append(' ').append(holder.isid());
            }
            b.append('\n');
        }
        registrations.forEach((nx, k) -> b.append("key ").append(Long.toHexString(k)).append(' ')
                .append(nx.initiatorName()).append(' ').append(nx.isid()).append('\n'));
        return b.toString();
    }

    private void restore(String text) {
        Map<Nexus, Long> regs = new LinkedHashMap<>();
        int t = 0;
        Nexus h = null;
        long gen = 0;
        for (String line : text.split("\n")) {
            String[] f = line.trim().split(" ");
            switch (f[0]) {
                case "generation" -> gen = Long.parseLong(f[1]);
                case "reservation" -> {
                    t = Integer.parseInt(f[1]);
                    h = f.length >= 4 ? new Nexus(f[2], f[3], targetName) : null;
                }
                case "key" -> regs.put(new Nexus(f[2], f[3], targetName), Long.parseUnsignedLong(f[1], 16));
                default -> { } // comments, blank lines
            }
        }
        if (t != 0 && !validType(t)) {
            throw new IllegalArgumentException("reservation type " + t);
        }
        restore(new Snapshot(regs, h, t, gen));
    }
}
