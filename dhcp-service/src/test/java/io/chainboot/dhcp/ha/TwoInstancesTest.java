package io.chainboot.dhcp.ha;

import io.chainboot.common.testing.FixedMachines;
import io.chainboot.dhcp.Requests;
import io.chainboot.dhcp.boot.BootSettings;
import io.chainboot.dhcp.codec.DhcpPacket;
import io.chainboot.dhcp.codec.MessageType;
import io.chainboot.dhcp.codec.OptionCode;
import io.chainboot.dhcp.lease.LeaseTable;
import io.chainboot.dhcp.lease.Pool;
import io.chainboot.dhcp.server.DhcpResponder;
import io.chainboot.dhcp.server.DhcpSettings;
import io.chainboot.dhcp.server.Ingress;
import io.chainboot.dhcp.server.Mode;
import io.chainboot.dhcp.server.Reply;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances' pure decisions (responder + lease table + HA rules) side by side, with "Kafka" a
 * list of lease records handed to each instance's table when the test says it is delivered, and
 * heartbeats fed by hand: both serving, one dying, Kafka away, a split. Every ACK is checked
 * against every other ACK: no address is ever held by two clients at the same instant.
 */
class TwoInstancesTest {
    static final Pool POOL = new Pool(Ipv4Address.parse("10.9.0.100"), Ipv4Address.parse("10.9.0.139"),
            Ipv4Address.parse("255.255.255.0"), Optional.empty(), List.of());
    static final Duration LEASE = Duration.ofMinutes(10);
    static final Duration MCLT = Duration.ofSeconds(60);
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Ingress BROADCAST = new Ingress(Ipv4Address.ANY, 68, false);

    @TempDir
    Path dir;

    final List<Node> nodes = new ArrayList<>();
    /** Every grant made: ip -> the grants (mac, until) — checked for overlap with another client. */
    final Map<Ipv4Address, List<Lease>> granted = new HashMap<>();
    /** "Kafka": the records not yet delivered to each node. */
    final List<List<Reply.LeaseChange>> undelivered = new ArrayList<>();

    final class Node {
        final int index;
        final Ha ha;
        final LeaseTable table;
        final DhcpResponder responder;
        final Ipv4Address server;
        boolean alive = true;
        boolean kafka = true;

        Node(int index) throws Exception {
            this.index = index;
            this.server = Ipv4Address.parse("10.9.0." + (1 + index));
            this.ha = new Ha(new HaSettings(2, index, MCLT, Duration.ofSeconds(10), Duration.ofSeconds(1),
                    Duration.ofSeconds(5)), "n" + index);
            this.table = new LeaseTable(POOL, dir.resolve("n" + index), false, ip -> Optional.empty(), ha.rulesFor(POOL));
            DhcpSettings s = new DhcpSettings(Mode.FULL, InetAddress.getByName("0.0.0.0"), 67, 4011, 68, server,
                    Optional.of(POOL), LEASE, Duration.ofSeconds(30), Duration.ofMinutes(10), dir, false,
                    new BootSettings("http://x/boot.ipxe", server.toString(), "undionly.kpxe", "ipxe.efi", "ipxe-arm64.efi",
                            Optional.empty()), 0, 0, false);
            this.responder = new DhcpResponder(s, List.of(table), new FixedMachines(), new EventSource("dhcp-service", "n" + index),
                    Optional.of(ha.gate()));
        }
    }

    @AfterEach
    void close() {
        nodes.forEach(n -> n.table.close());
    }

    void twoNodes() throws Exception {
        nodes.add(new Node(0));
        nodes.add(new Node(1));
        undelivered.add(new ArrayList<>());
        undelivered.add(new ArrayList<>());
    }

    /** A tick of the world at {@code now}: heartbeats and records flow where Kafka reaches both ends. */
    void tick(Instant now) {
        for (Node to : nodes) {
            if (!to.alive || !to.kafka) {
                continue;
            }
            for (Node from : nodes) {
                if (from != to && from.alive && from.kafka) {
                    to.ha.liveness().heard(from.index, now, now);
                }
            }
            for (Reply.LeaseChange c : undelivered.get(to.index)) {
                if (c instanceof Reply.LeaseChange.Put p) {
                    assertThat(to.table.observe(p.lease(), now)).isNotEqualTo(LeaseTable.Observed.CONFLICT);
                } else {
                    to.table.observeGone(((Reply.LeaseChange.Remove) c).ip(), now);
                }
            }
            undelivered.get(to.index).clear();
            to.ha.liveness().caughtUp(now);
        }
    }

    /** What a node's reply does to "Kafka": its records reach the topic only while the node reaches Kafka. */
    List<Reply> send(DhcpPacket req, Instant now) {
        List<Reply> replies = new ArrayList<>();
        for (Node n : nodes) {
            if (!n.alive) {
                replies.add(null);
                continue;
            }
            Reply r = n.responder.replyTo(req, BROADCAST, now);
            replies.add(r);
            if (r instanceof Reply.Send s && s.packet().messageType().orElseThrow() == MessageType.ACK) {
                check(s.packet().mac().orElseThrow(), s.packet().yiaddr(), now.plusSeconds(
                        s.packet().options().u32(OptionCode.LEASE_TIME).orElseThrow()), now);
            }
            if (n.kafka) {
                for (List<Reply.LeaseChange> q : undelivered) {
                    q.addAll(r.leaseChanges());
                }
            }
        }
        return replies;
    }

    void check(MacAddress mac, Ipv4Address ip, Instant until, Instant now) {
        for (Lease other : granted.getOrDefault(ip, List.of())) {
            if (!other.mac().equals(mac)) {
                assertThat(other.expiresAt()).as(ip + " granted to " + mac + " while " + other.mac() + " holds it")
                        .isBeforeOrEqualTo(now);
            }
        }
        granted.computeIfAbsent(ip, k -> new ArrayList<>()).add(new Lease(ip, mac, until, null));
    }

    /** DISCOVER to all, take the first OFFER, REQUEST it; returns the ACK (or null). */
    DhcpPacket dora(MacAddress mac, Instant now) {
        List<Reply> offers = send(Requests.request(mac, MessageType.DISCOVER, Requests.none()), now);
        DhcpPacket offer = offers.stream().filter(r -> r instanceof Reply.Send).map(r -> ((Reply.Send) r).packet())
                .findFirst().orElse(null);
        if (offer == null) {
            return null;
        }
        Ipv4Address sid = offer.serverId().orElseThrow();
        List<Reply> acks = send(Requests.request(mac, MessageType.REQUEST, o -> o.ip(OptionCode.SERVER_ID, sid)
                .ip(OptionCode.REQUESTED_IP, offer.yiaddr())), now);
        return acks.stream().filter(r -> r instanceof Reply.Send).map(r -> ((Reply.Send) r).packet())
                .filter(p -> p.messageType().orElseThrow() == MessageType.ACK).findFirst().orElse(null);
    }

    /** REBINDING: broadcast REQUEST with ciaddr; the first ACK. */
    DhcpPacket rebind(MacAddress mac, Ipv4Address ip, Instant now) {
        List<Reply> r = send(Requests.request(mac, MessageType.REQUEST, ip, Ipv4Address.ANY, Requests.none()), now);
        return r.stream().filter(x -> x instanceof Reply.Send).map(x -> ((Reply.Send) x).packet())
                .filter(p -> p.messageType().orElseThrow() == MessageType.ACK).findFirst().orElse(null);
    }

    static MacAddress mac(int i) {
        return MacAddress.parse(String.format("02:00:00:00:%02x:%02x", i >> 8, i & 0xff));
    }

    static long leaseSeconds(DhcpPacket ack) {
        return ack.options().u32(OptionCode.LEASE_TIME).orElseThrow();
    }

    int owner(Ipv4Address ip) {
        return new Shares(2).addressOwner(POOL, ip);
    }

    @Test
    void bothServeEachFromItsOwnShareAndTheFirstLeaseIsMcltLongUntilKafkaHasIt() throws Exception {
        twoNodes();
        tick(T0);
        int[] served = new int[2];
        for (int i = 0; i < 30; i++) {
            DhcpPacket ack = dora(mac(i), T0);
            assertThat(ack).as("client " + i).isNotNull();
            int by = ack.serverId().orElseThrow().equals(nodes.get(0).server) ? 0 : 1;
            served[by]++;
            assertThat(owner(ack.yiaddr())).as("address from the ACKing instance's share").isEqualTo(by);
            assertThat(by).as("the client's bucket owner answers").isEqualTo(new Shares(2).clientOwner(mac(i)));
            assertThat(leaseSeconds(ack)).as("no durable record yet: MCLT").isEqualTo(MCLT.toSeconds());
        }
        assertThat(served[0]).isPositive();
        assertThat(served[1]).isPositive();
        tick(T0.plusSeconds(1));
        // the renewal after the record came back gets the whole lease time
        DhcpPacket ack = dora(mac(0), T0.plusSeconds(30));
        assertThat(leaseSeconds(ack)).isEqualTo(LEASE.toSeconds());
    }

    @Test
    void whenOneDiesTheSurvivorExtendsItsClientsAndServesNewOnesFromItsOwnShare() throws Exception {
        twoNodes();
        tick(T0);
        Map<MacAddress, Ipv4Address> of1 = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            DhcpPacket ack = dora(mac(i), T0);
            if (owner(ack.yiaddr()) == 1) {
                of1.put(mac(i), ack.yiaddr());
            }
        }
        tick(T0.plusSeconds(1));
        for (MacAddress m : of1.keySet()) { // renew once with full lease time while both are up
            dora(m, T0.plusSeconds(2));
        }
        tick(T0.plusSeconds(3));
        nodes.get(1).alive = false; // kill -9
        Instant early = T0.plusSeconds(5);
        tick(early);
        MacAddress first = of1.keySet().iterator().next();
        DhcpPacket atOnce = rebind(first, of1.get(first), early);
        assertThat(atOnce).as("a rebinding client is extended at once, before instance 1 counts as down").isNotNull();
        assertThat(atOnce.yiaddr()).isEqualTo(of1.get(first));
        int k = 100;
        while (new Shares(2).clientOwner(mac(k)) != 1) {
            k++;
        }
        assertThat(dora(mac(k), early)).as("a new client of instance 1's bucket waits until it is down").isNull();
        Instant later = T0.plusSeconds(14);
        tick(later);
        for (Map.Entry<MacAddress, Ipv4Address> e : of1.entrySet()) {
            DhcpPacket ack = rebind(e.getKey(), e.getValue(), later);
            assertThat(ack).as("rebinding " + e.getKey() + ": " + nodes.get(0).responder.replyTo(Requests.request(e.getKey(),
                    MessageType.REQUEST, e.getValue(), Ipv4Address.ANY, Requests.none()), BROADCAST, later)).isNotNull();
            assertThat(ack.yiaddr()).isEqualTo(e.getValue());
            assertThat(ack.serverId()).contains(nodes.get(0).server);
        }
        // a new client of instance 1's bucket gets an address of instance 0's share
        int n = k + 1;
        while (new Shares(2).clientOwner(mac(n)) != 1) {
            n++;
        }
        DhcpPacket fresh = dora(mac(n), later);
        assertThat(fresh).isNotNull();
        assertThat(owner(fresh.yiaddr())).isZero();
        // a stranger asking for a free address of instance 1's share (INIT-REBOOT) is not given it
        Ipv4Address free1 = Ipv4Address.parse("10.9.0.139");
        assertThat(nodes.get(0).table.entry(free1)).isEmpty();
        List<Reply> r = send(Requests.request(mac(999), MessageType.REQUEST, o -> o.ip(OptionCode.REQUESTED_IP, free1)), later);
        assertThat(r.get(0)).isInstanceOf(Reply.Silent.class);
    }

    @Test
    void aRestartedInstanceKnowsTheSurvivorsExtensionsOfItsShare() throws Exception {
        twoNodes();
        tick(T0);
        int k = 0;
        while (new Shares(2).clientOwner(mac(k)) != 1) {
            k++;
        }
        MacAddress c = mac(k);
        Ipv4Address ip = dora(c, T0).yiaddr();
        tick(T0.plusSeconds(1));
        nodes.get(1).alive = false;
        tick(T0.plusSeconds(20));
        DhcpPacket ext = rebind(c, ip, T0.plusSeconds(20));
        assertThat(ext.serverId()).contains(nodes.get(0).server);
        tick(T0.plusSeconds(21)); // the extension reaches Kafka; instance 1 is down and reads it when back
        nodes.get(1).table.close();
        nodes.set(1, new Node(1)); // restarted: its journal, then the topic
        undelivered.get(1).add(new Reply.LeaseChange.Put(nodes.get(0).table.entry(ip).orElseThrow().toLease()));
        tick(T0.plusSeconds(22));
        assertThat(nodes.get(1).table.entry(ip).orElseThrow().expiresAt())
                .isEqualTo(nodes.get(0).table.entry(ip).orElseThrow().expiresAt());
        // many new clients later, instance 1 never gives that address to anyone else while it is held
        for (int i = 200; i < 260; i++) {
            dora(mac(i), T0.plusSeconds(23));
        }
    }

    @Test
    void withKafkaAwayRenewalsContinueBoundedByTheLastDurableExpiryPlusMclt() throws Exception {
        twoNodes();
        tick(T0);
        DhcpPacket first = dora(mac(1), T0);
        tick(T0.plusSeconds(1));
        DhcpPacket renewed = dora(mac(1), T0.plusSeconds(2));
        assertThat(leaseSeconds(renewed)).isEqualTo(LEASE.toSeconds());
        Instant durableUntil = T0.plusSeconds(2).plus(LEASE);
        tick(T0.plusSeconds(3));
        nodes.forEach(n -> n.kafka = false); // Kafka stopped
        Instant t = T0.plusSeconds(300);
        DhcpPacket during = dora(mac(1), t);
        assertThat(during.yiaddr()).isEqualTo(first.yiaddr());
        assertThat(t.plusSeconds(leaseSeconds(during))).isEqualTo(durableUntil.plus(MCLT));
        Instant late = T0.plusSeconds(580);
        DhcpPacket bounded = dora(mac(1), late);
        assertThat(late.plusSeconds(leaseSeconds(bounded))).isEqualTo(durableUntil.plus(MCLT));
        // new clients still get addresses (own share, MCLT long)
        DhcpPacket fresh = dora(mac(7), late);
        assertThat(fresh).isNotNull();
        assertThat(leaseSeconds(fresh)).isEqualTo(MCLT.toSeconds());
    }

    @Test
    void anExpiredAddressGoesToAnotherClientOnlyAfterMcltAndWithACurrentView() throws Exception {
        nodes.add(new Node(0));
        undelivered.add(new ArrayList<>());
        // instance 0 alone (instance 1 down): a pool share of 20 addresses, all taken
        tick(T0);
        for (int i = 0; i < 20; i++) {
            assertThat(dora(mac(i), T0)).isNotNull();
        }
        assertThat(dora(mac(50), T0)).as("own share exhausted; instance 1's share is not taken").isNull();
        Instant expired = T0.plus(LEASE).plusSeconds(1); // the potential expiry (held and published) passed
        nodes.get(0).table.expire(expired);
        tick(expired);
        assertThat(dora(mac(50), expired)).as("expired, but not yet expiry + MCLT").isNull();
        Instant after = T0.plus(LEASE).plus(MCLT);
        assertThat(dora(mac(50), after)).as("view stale (last caught up at " + expired + ")").isNull();
        tick(after);
        DhcpPacket reused = dora(mac(50), after);
        assertThat(reused).isNotNull();
        assertThat(owner(reused.yiaddr())).isZero();
    }

    @Test
    void aSplitWhereOneInstanceLosesKafkaButBothSeeClientsGivesNoDuplicate() throws Exception {
        twoNodes();
        tick(T0);
        for (int i = 0; i < 16; i++) {
            dora(mac(i), T0);
        }
        tick(T0.plusSeconds(1));
        nodes.get(1).kafka = false; // instance 1 alive, cut from Kafka; 0 sees it down after 10 s
        Instant t = T0.plusSeconds(20);
        for (int step = 0; step < 12; step++) {
            Instant now = t.plusSeconds(30L * step);
            tick(now);
            nodes.forEach(n -> n.table.expire(now));
            for (int i = 0; i < 40; i++) { // everyone renews, rebinds or starts over; new clients arrive
                MacAddress m = mac(i + step);
                Optional<Ipv4Address> held = nodes.get(0).table.bindingOf(m, now).map(e -> e.ip())
                        .or(() -> nodes.get(1).table.bindingOf(m, now).map(e -> e.ip()));
                if (held.isPresent() && i % 2 == 0) {
                    rebind(m, held.get(), now);
                } else {
                    dora(m, now);
                }
            }
        }
        // check() asserted on every ACK that no other client held the address
        assertThat(granted).isNotEmpty();
    }

    @Test
    void aRenewalTheDeadInstanceNeverReplicatedIsStillExtendedButOnlyToItsLastDurableExpiryPlusMclt() throws Exception {
        twoNodes();
        tick(T0);
        int k = 0;
        while (new Shares(2).clientOwner(mac(k)) != 1) {
            k++;
        }
        MacAddress c = mac(k);
        Ipv4Address ip = dora(c, T0).yiaddr();
        int k2 = k + 1;
        while (new Shares(2).clientOwner(mac(k2)) != 1) {
            k2++;
        }
        MacAddress c2 = mac(k2);
        Ipv4Address ip2 = dora(c2, T0).yiaddr();
        tick(T0.plusSeconds(1));
        Instant durable = nodes.get(1).table.entry(ip).orElseThrow().expiresAt(); // T0 + lease, read back by both
        nodes.get(1).kafka = false; // its next renewal never reaches Kafka
        Instant renewAt = T0.plusSeconds(300); // RENEWING: unicast to instance 1 only
        Reply renewal = nodes.get(1).responder.replyTo(Requests.request(c, MessageType.REQUEST, ip, Ipv4Address.ANY,
                Requests.none()), new Ingress(ip, 68, false), renewAt);
        DhcpPacket renewed = ((Reply.Send) renewal).packet();
        check(c, ip, renewAt.plusSeconds(leaseSeconds(renewed)), renewAt);
        assertThat(renewAt.plusSeconds(leaseSeconds(renewed))).isAfter(durable);
        nodes.get(1).alive = false; // and then it dies
        Instant rebindAt = durable.plusSeconds(20); // after the last expiry instance 0 knows of
        nodes.get(0).table.expire(rebindAt);
        tick(rebindAt);
        DhcpPacket ext = rebind(c, ip, rebindAt);
        assertThat(ext).as("its own address, though instance 0's record of it has ended").isNotNull();
        assertThat(ext.yiaddr()).isEqualTo(ip);
        assertThat(rebindAt.plusSeconds(leaseSeconds(ext))).isEqualTo(durable.plus(MCLT));
        // a client whose binding ended more than the MCLT ago (its owner may have given the address away):
        // instance 0 does not hand it back, and sends no NAK either
        Instant tooLate = durable.plus(MCLT).plusSeconds(1);
        tick(tooLate);
        List<Reply> r = send(Requests.request(c2, MessageType.REQUEST, o -> o.ip(OptionCode.REQUESTED_IP, ip2)), tooLate);
        assertThat(r.get(0)).isInstanceOf(Reply.Silent.class);
    }
}
