package io.chainboot.dhcp.ndp;

import io.chainboot.dhcp.ndp.NdpMessage.RouterAdvertisement;
import io.chainboot.dhcp.ndp.NdpMessage.RouterSolicitation;
import io.chainboot.dhcp.ndp.RouterAdvertiser.Advertise;
import io.chainboot.dhcp.ndp.RouterAdvertiser.Answer;
import io.chainboot.dhcp.ndp.RouterAdvertiser.Quiet;
import io.chainboot.events.Decoded;
import io.chainboot.events.MacAddress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Instant;
import java.util.Optional;

/**
 * The socket side of the router-advertisement responder: one thread reads router solicitations
 * and advertisements from a {@link RawIcmpv6Socket} on the boot LAN, decodes them ({@link NdpCodec}),
 * asks the {@link RouterAdvertiser} and sends what it answers. Bad packets are counted and logged,
 * never thrown. At start it sends one solicitation of its own, so that a real router on the link is
 * heard before the first machine asks.
 */
public final class NdpListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NdpListener.class);

    private final RouterAdvertiser advertiser;
    private final RawIcmpv6Socket socket;
    private final NetworkInterface nif;
    private final Thread thread;
    private final Counter sent;
    private final Counter quiet;
    private final Counter malformed;
    private final Counter sendErrors;
    private volatile boolean running = true;

    private NdpListener(RouterAdvertiser advertiser, RawIcmpv6Socket socket, NetworkInterface nif, MeterRegistry registry) {
        this.advertiser = advertiser;
        this.socket = socket;
        this.nif = nif;
        this.sent = advertisements(registry, "sent");
        this.quiet = advertisements(registry, "not-sent");
        this.malformed = advertisements(registry, "malformed-input");
        this.sendErrors = advertisements(registry, "send-error");
        io.micrometer.core.instrument.Gauge.builder("chainboot.dhcp.router.foreign", this,
                l -> l.advertiser.foreignRouter(Instant.now()).isPresent() ? 1 : 0)
                .description("1 while another router advertises on the link, else 0").register(registry);
        this.thread = new Thread(this::receiveLoop, "ndp-" + nif.getName());
        this.thread.setDaemon(true);
    }

    private static Counter advertisements(MeterRegistry registry, String result) {
        return Counter.builder("chainboot.dhcp.router.advertisements").tag("result", result)
                .description("router solicitations handled, by result: sent, not-sent, malformed-input, send-error").register(registry);
    }

    /** Opens the socket on {@code nif}, solicits once and starts answering. */
    public static NdpListener start(RouterAdvertiser advertiser, NetworkInterface nif, MeterRegistry registry) throws IOException {
        NdpListener l = new NdpListener(advertiser, new RawIcmpv6Socket(nif), nif, registry);
        l.thread.start();
        try {
            l.socket.send(NdpCodec.encode(new RouterSolicitation(macOf(nif))), (Inet6Address) InetAddress.getByName("ff02::2"));
        } catch (IOException e) {
            // no link-local address yet (interface just came up): the routers' periodic advertisements will tell us
            LOG.debugf("initial router solicitation on %s: %s", nif.getName(), e.getMessage());
        }
        LOG.infof("answering IPv6 router solicitations on %s (%s): router lifetime 0, %s", nif.getName(),
                advertiser.policy().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                "no default route; silent while another router advertises");
        return l;
    }

    /** Called by the DHCP server for every PXE or iPXE request. */
    public void clientBooting(MacAddress mac) {
        Optional<Advertise> a;
        synchronized (advertiser) {
            a = advertiser.clientBooting(mac, Instant.now());
        }
        a.ifPresent(this::send);
    }

    private void receiveLoop() {
        while (running) {
            try {
                RawIcmpv6Socket.Received r = socket.receive();
                if (r != null) {
                    handle(r);
                }
            } catch (IOException | RuntimeException e) {
                if (running) {
                    LOG.warnf("router advertisement listener on %s: %s", nif.getName(), e.toString());
                    sleepQuietly();
                }
            }
        }
    }

    void handle(RawIcmpv6Socket.Received r) {
        Decoded<NdpMessage> d = NdpCodec.decode(r.data(), 0, r.length(), r.hopLimit(), r.from().isAnyLocalAddress());
        if (d instanceof Decoded.Invalid<NdpMessage> bad) {
            malformed.increment();
            LOG.debugf("dropped ICMPv6 message from %s: %s", r.from().getHostAddress(), bad.reason());
            return;
        }
        NdpMessage m = d.orElseThrow();
        Instant now = Instant.now();
        if (m instanceof RouterAdvertisement ra) {
            boolean wasQuiet;
            synchronized (advertiser) {
                wasQuiet = advertiser.foreignRouter(now).isPresent();
                advertiser.onForeignAdvertisement(r.from(), ra, now);
            }
            if (!wasQuiet) {
                LOG.infof("IPv6 router %s advertises on %s (M=%s O=%s lifetime %d s): Chainboot stops answering "
                        + "router solicitations while it does", r.from().getHostAddress(), nif.getName(),
                        ra.managed() ? 1 : 0, ra.other() ? 1 : 0, ra.routerLifetimeSeconds());
            }
            return;
        }
        RouterSolicitation rs = (RouterSolicitation) m;
        Answer answer;
        synchronized (advertiser) {
            answer = advertiser.onSolicitation(r.from(), rs, now);
        }
        if (answer instanceof Advertise a) {
            send(a);
        } else {
            quiet.increment();
            LOG.debugf("router solicitation from %s (%s) not answered: %s", r.from().getHostAddress(),
                    rs.sourceLinkLayer().map(Object::toString).orElse("-"), ((Quiet) answer).reason());
        }
    }

    private void send(Advertise a) {
        try {
            socket.send(NdpCodec.encode(a.advertisement()), a.to());
            sent.increment();
            LOG.debugf("router advertisement to %s (%s)", a.to().getHostAddress(), a.reason());
        } catch (IOException e) {
            sendErrors.increment();
            LOG.warnf("router advertisement to %s failed: %s", a.to().getHostAddress(), e.getMessage());
        }
    }

    public double sentCount() {
        return sent.count();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(3000); // the receive times out every second; closing the fd under it could hit a reused fd
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
    }

    private static Optional<MacAddress> macOf(NetworkInterface nif) {
        try {
            byte[] hw = nif.getHardwareAddress();
            return hw != null && hw.length == 6 ? Optional.of(MacAddress.of(hw)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
