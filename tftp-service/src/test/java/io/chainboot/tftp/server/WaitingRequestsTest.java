package io.chainboot.tftp.server;

import io.chainboot.tftp.codec.TftpPacket;
import io.chainboot.tftp.codec.TransferMode;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WaitingRequestsTest {
    static final long S = 1_000_000_000L;
    static final TftpPacket.ReadRequest RRQ = new TftpPacket.ReadRequest("undionly.kpxe", TransferMode.OCTET, Map.of());

    static InetSocketAddress client(int n) {
        return new InetSocketAddress("10.0.0." + n, 2070);
    }

    @Test
    void firstComeFirstServedAndARetransmissionKeepsItsPlace() {
        WaitingRequests w = new WaitingRequests(10, 20 * S);
        assertThat(w.offer(RRQ, client(1), 0)).isTrue();
        assertThat(w.offer(RRQ, client(2), 1 * S)).isTrue();
        assertThat(w.offer(RRQ, client(1), 2 * S)).as("client 1 retransmits").isTrue();
        assertThat(w.size()).isEqualTo(2);
        WaitingRequests.Waiting first = w.next(3 * S).orElseThrow();
        assertThat(first.client()).isEqualTo(client(1));
        assertThat(first.firstNanos()).isZero();
        assertThat(first.lastNanos()).isEqualTo(2 * S);
        assertThat(w.next(3 * S).orElseThrow().client()).isEqualTo(client(2));
        assertThat(w.next(3 * S)).isEmpty();
    }

    @Test
    void aClientThatStoppedAskingIsDroppedNotServed() {
        WaitingRequests w = new WaitingRequests(10, 20 * S);
        w.offer(RRQ, client(1), 0);
        w.offer(RRQ, client(2), 5 * S);
        assertThat(w.next(21 * S).orElseThrow().client()).as("client 1 gave up 21 s ago").isEqualTo(client(2));
        assertThat(w.size()).isZero();
    }

    @Test
    void aFullLineTurnsNewClientsAwayButStillRefreshesThoseInIt() {
        WaitingRequests w = new WaitingRequests(1, 20 * S);
        assertThat(w.offer(RRQ, client(1), 0)).isTrue();
        assertThat(w.offer(RRQ, client(2), 0)).isFalse();
        assertThat(w.offer(RRQ, client(1), 10 * S)).isTrue();
        assertThat(w.next(25 * S)).as("refreshed at 10 s: still asking at 25 s").isPresent();
    }
}
