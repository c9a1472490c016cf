package io.chainboot.tftp.server;

import io.chainboot.tftp.codec.TftpPacket;

import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * Read requests that found every transfer slot taken, served first come first served as slots free
 * up (admission control: under a boot storm a PXE ROM waits in line instead of winning or losing a
 * race on each retransmission). A retransmitted request keeps its place; a client that stopped
 * retransmitting for {@code staleNanos} has given up and is dropped, so no slot goes to it. Pure:
 * the caller passes the time and runs it on one thread.
 */
final class WaitingRequests {
    /** One client in line: its latest request, when it first and last asked. */
    record Waiting(TftpPacket.ReadRequest rrq, InetSocketAddress client, long firstNanos, long lastNanos) {
    }

    private final LinkedHashMap<InetSocketAddress, Waiting> line = new LinkedHashMap<>();
    private final int capacity;
    private final long staleNanos;

    WaitingRequests(int capacity, long staleNanos) {
        if (capacity < 0 || staleNanos <= 0) {
            throw new IllegalArgumentException("capacity >= 0, staleNanos > 0");
        }
        this.capacity = capacity;
        this.staleNanos = staleNanos;
    }

    /**
     * A request that found no free slot: queued at the end, or — a retransmission — refreshed in its
     * place. False if the line is full (the request is left unanswered; the client retransmits).
     */
    boolean offer(TftpPacket.ReadRequest rrq, InetSocketAddress client, long now) {
        Waiting w = line.get(client);
        if (w != null) {
            line.put(client, new Waiting(rrq, client, w.firstNanos(), now)); // keeps its insertion order
            return true;
        }
        if (line.size() >= capacity) {
            return false;
        }
        line.put(client, new Waiting(rrq, client, now, now));
        return true;
    }

    /** Takes the first client still asking (asked within {@code staleNanos} of {@code now}), dropping the stale before it. */
    Optional<Waiting> next(long now) {
        Iterator<Waiting> it = line.values().iterator();
        while (it.hasNext()) {
            Waiting w = it.next();
            it.remove();
            if (now - w.lastNanos() < staleNanos) {
                return Optional.of(w);
            }
        }
        return Optional.empty();
    }

    int size() {
        return line.size();
    }
}
