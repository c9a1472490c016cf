package io.chainboot.dhcp.v6.server;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.dhcp.server.LeaseSink;
import io.chainboot.dhcp.server.Reply;
import io.chainboot.dhcp.v6.answer.Dhcpv6Responder;
import io.chainboot.dhcp.v6.codec.Dhcpv6Codec;
import io.chainboot.dhcp.v6.codec.Dhcpv6Message;
import io.chainboot.dhcp.v6.codec.Dhcpv6MessageType;
import io.chainboot.events.BootEvent;
import io.chainboot.events.Decoded;
import io.chainboot.events.EventSource;
import io.chainboot.events.MacAddress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The DHCPv6 server's I/O (RFC 8415 §18.3): one UDP socket on {@code [::]:547} joined to
 * All_DHCP_Relay_Agents_and_Servers (ff02::1:2) on the boot interface, one receive thread. Each datagram
 * is decoded ({@link Dhcpv6Codec}), answered by the pure {@link Dhcpv6Responder} with addresses from the
 * {@link V6LeaseTable} (full mode) and sent back to its source (the client's link-local address, port 546);
 * its {@code dhcp.offered}/{@code dhcp.acked} event is published. A lease change is written to
 * {@link V6LeaseFile} before the Reply leaves. A packet that does not decode, or whose handling throws, is
 * counted and logged, never thrown: the loop goes on. Relay messages (Relay-forward) are not served.
 *
 * <p>Full mode: each bound IA_NA address whose client's MAC is known ({@link V6Events#macOf}) goes to
 * {@code chainboot.leases} through the same {@link LeaseSink} as the DHCPv4 leases, keyed by the address, so the
 * services that see only an IPv6 address (script-service's {@code /boot-files/}) name the machine; a release, a
 * moved or an expired binding sends its tombstone; {@link #start()} re-publishes every bound lease.
 */
public final class Dhcpv6Server implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Dhcpv6Server.class);
    public static final String ALL_SERVERS = "ff02::1:2";

    private final Dhcpv6ServerSettings settings;
    private final EventSource source;
    private final BootEventPublisher publisher;
    private final Optional<V6LeaseTable> table;
    private final Optional<V6LeaseFile> file;
    private final Clock clock;
    private final LeaseSink leaseSink;
    private final Counter received;
    private final Counter sent;
    private final Counter malformed;
    private final Counter ignored;
    private DatagramChannel channel;
    private Thread thread;
    private volatile Consumer<MacAddress> onBootClient = m -> { };

    /** A server whose leases go nowhere but its lease file. */
    public Dhcpv6Server(Dhcpv6ServerSettings settings, EventSource source, BootEventPublisher publisher, MeterRegistry registry,
                        Clock clock) throws IOException {
        this(settings, source, publisher, LeaseSink.NONE, registry, clock);
    }

    /** @param leaseSink where bound leases go ({@code chainboot.leases}); must not block */
    public Dhcpv6Server(Dhcpv6ServerSettings settings, EventSource source, BootEventPublisher publisher, LeaseSink leaseSink,
                        MeterRegistry registry, Clock clock) throws IOException {
        this.settings = settings;
        this.leaseSink = leaseSink;
        this.source = source;
        this.publisher = publisher;
        this.clock = clock;
        if (settings.pool().isPresent()) {
            V6LeaseFile f = new V6LeaseFile(settings.stateDir(), settings.fsync());
            this.file = Optional.of(f);
            this.table = Optional.of(new V6LeaseTable(settings.pool().get(), f.read(), clock.instant()));
        } else {
            this.file = Optional.empty();
            this.table = Optional.empty();
        }
        this.received = counter(registry, "chainboot.dhcp.v6.received", "DHCPv6 datagrams received");
        this.sent = counter(registry, "chainboot.dhcp.v6.sent", "DHCPv6 answers sent");
        this.malformed = counter(registry, "chainboot.dhcp.v6.malformed", "DHCPv6 datagrams that did not decode or could not be answered");
        this.ignored = counter(registry, "chainboot.dhcp.v6.ignored", "decoded DHCPv6 messages not answered (reason logged at DEBUG)");
    }

    private static Counter counter(MeterRegistry r, String name, String help) {
        return Counter.builder(name).description(help).register(r);
    }

    /** Called with the MAC of each PXE/HTTP/iPXE DHCPv6 client (the router advertiser's booting-clients memory). */
    public void onBootClient(Consumer<MacAddress> listener) {
        this.onBootClient = listener;
    }

    /** Binds, joins ff02::1:2 on the boot interface and starts the receive thread; returns the bound address. */
    public InetSocketAddress start() throws IOException {
        NetworkInterface nif = NetworkInterface.getByName(settings.interfaceName());
        if (nif == null) {
            throw new IOException("DHCPv6: interface '" + settings.interfaceName() + "' does not exist");
        }
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET6);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(InetAddress.getByName("::"), settings.port()));
            ch.join(InetAddress.getByName(ALL_SERVERS), nif);
            ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw new IOException("DHCPv6: cannot listen on [::]:" + settings.port() + " joined to " + ALL_SERVERS + " on "
                    + settings.interfaceName() + ": " + e.getMessage(), e);
        }
        channel = ch;
        thread = new Thread(this::receiveLoop, "dhcpv6-" + settings.interfaceName());
        thread.setDaemon(true);
        if (table.isPresent()) {
            List<io.chainboot.events.Lease> bound;
            synchronized (this) {
                bound = table.get().leases();
            }
            bound.forEach(l -> leaseSink.accept(new Reply.LeaseChange.Put(l)));
        }
        thread.start();
        return (InetSocketAddress) ch.getLocalAddress();
    }

    private void receiveLoop() {
        ByteBuffer buf = ByteBuffer.allocate(65_536);
        while (channel.isOpen()) {
            SocketAddress from;
            try {
                buf.clear();
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.warnf("DHCPv6 receive failed: %s", e.toString());
                continue;
            }
            buf.flip();
            byte[] data = new byte[buf.remaining()];
            buf.get(data);
            try {
                handle(data, (InetSocketAddress) from);
            } catch (RuntimeException e) {
                malformed.increment();
                LOG.warnf("DHCPv6 from %s: cannot answer: %s", from, e.toString());
            }
        }
    }

    /** One datagram: decode, answer, persist, send, publish. Package-private for tests. */
    void handle(byte[] data, InetSocketAddress from) {
        received.increment();
        Decoded<Dhcpv6Message> d = Dhcpv6Codec.decode(data);
        if (!(d instanceof Decoded.Valid<Dhcpv6Message> v)) {
            malformed.increment();
            LOG.debugf("DHCPv6 from %s: malformed: %s", from, ((Decoded.Invalid<Dhcpv6Message>) d).reason());
            return;
        }
        Dhcpv6Message m = v.value();
        Instant now = clock.instant();
        Optional<MacAddress> mac = V6Events.macOf(m, from.getAddress());
        Optional<Dhcpv6Message> answer;
        List<Reply.LeaseChange> leaseChanges;
        synchronized (this) {
            if (m.type() == Dhcpv6MessageType.RELEASE && table.isPresent() && m.clientId().isPresent()) {
                for (Dhcpv6Message.IaNa ia : m.iaNas()) {
                    table.get().release(m.clientId().get(), ia.iaid());
                }
            }
            answer = new Dhcpv6Responder(settings.answers(), leases(m.type(), now, mac.orElse(null))).answer(m);
            leaseChanges = table.map(V6LeaseTable::drainLeaseChanges).orElse(List.of());
            if (answer.isPresent() && table.isPresent() && table.get().changed()) {
                try {
                    file.get().write(table.get().bound());
                } catch (IOException e) {
                    // a lease we cannot keep is not given (nor published): the client retries
                    malformed.increment();
                    LOG.errorf("DHCPv6: cannot write %s in %s, no Reply sent: %s", V6LeaseFile.FILE, settings.stateDir(), e.toString());
                    return;
                }
            }
        }
        leaseChanges.forEach(leaseSink::accept);
        if (answer.isEmpty()) {
            ignored.increment();
            LOG.debugf("DHCPv6 %s from %s: not answered", m.type(), from);
            return;
        }
        try {
            channel.send(ByteBuffer.wrap(Dhcpv6Codec.encode(answer.get())), from);
            sent.increment();
        } catch (IOException e) {
            LOG.warnf("DHCPv6 %s to %s failed: %s", answer.get().type(), from, e.toString());
            return;
        }
        LOG.debugf("DHCPv6 %s from %s (%s) -> %s", m.type(), from, mac.map(Object::toString).orElse("-"), answer.get().type());
        Optional<BootEvent> event = V6Events.of(m, answer.get(), mac, source, settings.pool().isPresent(), now);
        if (event.isPresent() && event.get() instanceof io.chainboot.events.DhcpEvents.Reply r && r.bootFile() != null) {
            onBootClient.accept(mac.get());
        }
        event.ifPresent(publisher::publish);
    }

    private BiFunction<byte[], Long, Optional<Inet6Address>> leases(Dhcpv6MessageType type, Instant now, MacAddress mac) {
        if (table.isEmpty()) {
            return (duid, iaid) -> Optional.empty();
        }
        V6LeaseTable t = table.get();
        return switch (type) {
            case SOLICIT -> (duid, iaid) -> t.offer(duid, iaid, now, settings.offerHold());
            case REQUEST, RENEW, REBIND -> (duid, iaid) -> t.bind(duid, iaid, now, settings.answers().leaseTime(), mac);
            default -> (duid, iaid) -> Optional.empty();
        };
    }

    /** The lease table (full mode), for tests. */
    Optional<V6LeaseTable> table() {
        return table;
    }

    @Override
    public void close() {
        DatagramChannel ch = channel;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.debugf("closing the DHCPv6 socket: %s", e.toString());
            }
        }
    }
}
