package io.chainboot.dhcp.ndp;

import io.chainboot.dhcp.ndp.NdpMessage.RouterAdvertisement;
import io.chainboot.dhcp.ndp.NdpMessage.RouterSolicitation;
import io.chainboot.events.MacAddress;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which router solicitations get an advertisement, so that iPXE's IPv6 autoconfiguration
 * ends at once instead of timing out (~16 s per boot on a link with no IPv6 router). Pure: time is
 * passed in, nothing is sent here. Not thread-safe: one {@code NdpListener} thread and the DHCP
 * receive threads call it under the listener's lock.
 *
 * <p>What is advertised is {@link #advertisement}: by default router lifetime 0 (RFC 4861 §4.2:
 * not a default router), M and O clear, no prefix — a host learns nothing from it but "there is
 * nothing to wait for"; iPXE then finishes IPv6 configuration with only its link-local address.
 * A prefix is added only when configured.
 *
 * <p>The rules:
 * <ul>
 *   <li>A real IPv6 router on the link wins: once an advertisement from any other node is heard,
 *       Chainboot stays silent for {@link #FOREIGN_ROUTER_MEMORY} after the last one (longer than the
 *       600 s maximum interval of unsolicited advertisements, RFC 4861 §6.2.1), so it never
 *       contradicts that router's M/O flags or prefixes.</li>
 *   <li>Answers go unicast to the soliciting address (RFC 4861 §6.2.6 allows it), so no other
 *       host receives them; a solicitation from the unspecified address gets a multicast answer to
 *       all-nodes, at most one per {@link #MIN_DELAY_BETWEEN_RAS} (RFC 4861 §10).</li>
 *   <li>{@link RaPolicy#BOOTING_CLIENTS}: only a MAC seen in a PXE/iPXE DHCP request within
 *       {@link #BOOTING_MEMORY} is answered. iPXE starts DHCPv4 and IPv6 configuration at the same
 *       time, so its first solicitation can arrive before its DHCP request: such a solicitation is
 *       held for {@link #PENDING_MEMORY} and answered as soon as the DHCP request shows the machine
 *       is booting ({@link #clientBooting}).</li>
 *   <li>Answers are sent at once, without RFC 4861 §6.2.6's random 0-500 ms delay: that delay
 *       desynchronises several routers answering one solicitation, and Chainboot only answers when
 *       it has heard no router at all.</li>
 * </ul>
 */
public final class RouterAdvertiser {
    static final Duration FOREIGN_ROUTER_MEMORY = Duration.ofMinutes(30);
    static final Duration MIN_DELAY_BETWEEN_RAS = Duration.ofSeconds(3);
    static final Duration BOOTING_MEMORY = Duration.ofMinutes(10);
    static final Duration PENDING_MEMORY = Duration.ofSeconds(10);
    static final int MAX_TRACKED = 65_536;
    static final Inet6Address ALL_NODES = v6("ff02::1");

    private final RaPolicy policy;
    private final RouterAdvertisement advertisement;
    private final Map<MacAddress, Instant> booting = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<MacAddress, Inet6Address> pending = new LinkedHashMap<>();
    private final Map<MacAddress, Instant> pendingSince = new LinkedHashMap<>();
    private Instant foreignRouterUntil = Instant.MIN;
    private Optional<Inet6Address> foreignRouter = Optional.empty();
    private Instant lastMulticast = Instant.MIN;

    public RouterAdvertiser(RaPolicy policy, RouterAdvertisement advertisement) {
        this.policy = policy;
        this.advertisement = advertisement;
    }

    /** What to do about one solicitation. */
    public sealed interface Answer {
    }

    /** Send {@code advertisement} to {@code to}. */
    public record Advertise(RouterAdvertisement advertisement, Inet6Address to, String reason) implements Answer {
    }

    /** Send nothing. */
    public record Quiet(String reason) implements Answer {
    }

    public Answer onSolicitation(Inet6Address from, RouterSolicitation rs, Instant now) {
        if (policy == RaPolicy.OFF) {
            return new Quiet("router advertisements are off");
        }
        if (now.isBefore(foreignRouterUntil)) {
            return new Quiet("router " + foreignRouter.map(InetAddress::getHostAddress).orElse("?")
                    + " advertises on this link");
        }
        if (from.isAnyLocalAddress()) {
            if (policy == RaPolicy.BOOTING_CLIENTS) {
                return new Quiet("solicitation from :: cannot be tied to a booting machine");
            }
            if (now.isBefore(lastMulticast.plus(MIN_DELAY_BETWEEN_RAS))) {
                return new Quiet("multicast advertisement sent less than 3 s ago");
            }
            lastMulticast = now;
            return new Advertise(advertisement, ALL_NODES, "solicitation from ::");
        }
        if (policy == RaPolicy.ALL) {
            return new Advertise(advertisement, from, "full mode");
        }
        Optional<MacAddress> mac = rs.sourceLinkLayer().or(() -> macOfEui64(from));
        if (mac.isEmpty()) {
            return new Quiet("neither a source link-layer address nor an EUI-64 address: cannot tell whether it is a booting machine");
        }
        Instant seen = booting.get(mac.get());
        if (seen != null && !now.isAfter(seen.plus(BOOTING_MEMORY))) {
            return new Advertise(advertisement, from, "PXE/iPXE client " + mac.get());
        }
        pending.remove(mac.get());
        pendingSince.remove(mac.get()); // re-inserted last: pendingSince stays ordered by time
        pending.put(mac.get(), from);
        pendingSince.put(mac.get(), now);
        trim(now);
        return new Quiet(mac.get() + " is not a booting machine (yet): held for " + PENDING_MEMORY.toSeconds() + " s");
    }

    /**
     * A PXE or iPXE DHCP request from {@code mac}: remembers the machine as booting and returns the
     * answer to a solicitation it sent just before, if any.
     */
    public Optional<Advertise> clientBooting(MacAddress mac, Instant now) {
        booting.put(mac, now);
        Inet6Address held = pending.remove(mac);
        Instant since = pendingSince.remove(mac);
        trim(now);
        if (held == null || policy == RaPolicy.OFF || now.isBefore(foreignRouterUntil)
                || now.isAfter(since.plus(PENDING_MEMORY))) {
            return Optional.empty();
        }
        return Optional.of(new Advertise(advertisement, held, "PXE/iPXE client " + mac + " (held solicitation)"));
    }

    /** An advertisement heard from another node (never our own). */
    public void onForeignAdvertisement(Inet6Address from, RouterAdvertisement ra, Instant now) {
        foreignRouter = Optional.of(from);
        Instant until = now.plus(FOREIGN_ROUTER_MEMORY.compareTo(Duration.ofSeconds(ra.routerLifetimeSeconds())) >= 0
                ? FOREIGN_ROUTER_MEMORY : Duration.ofSeconds(ra.routerLifetimeSeconds()));
        if (until.isAfter(foreignRouterUntil)) {
            foreignRouterUntil = until;
        }
    }

    /** The router this advertiser defers to, while it does. */
    public Optional<Inet6Address> foreignRouter(Instant now) {
        return now.isBefore(foreignRouterUntil) ? foreignRouter : Optional.empty();
    }

    public RaPolicy policy() {
        return policy;
    }

    private void trim(Instant now) {
        while (booting.size() > MAX_TRACKED) {
            Iterator<MacAddress> it = booting.keySet().iterator();
            it.next();
            it.remove();
        }
        for (Iterator<Map.Entry<MacAddress, Instant>> it = pendingSince.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<MacAddress, Instant> e = it.next();
            if (now.isAfter(e.getValue().plus(PENDING_MEMORY)) || pendingSince.size() > MAX_TRACKED) {
                pending.remove(e.getKey());
                it.remove();
            } else {
                break; // insertion order: the rest are younger
            }
        }
    }

    /**
     * The MAC inside a modified EUI-64 interface identifier (RFC 4291 Appendix A: MAC halves around
     * ff:fe, universal/local bit inverted), as iPXE and Linux form their link-local addresses;
     * empty for any other identifier (e.g. RFC 7217 stable privacy addresses).
     */
    static Optional<MacAddress> macOfEui64(Inet6Address a) {
        byte[] b = a.getAddress();
        if ((b[11] & 0xff) != 0xff || (b[12] & 0xff) != 0xfe) {
            return Optional.empty();
        }
        byte[] mac = {(byte) (b[8] ^ 0x02), b[9], b[10], b[13], b[14], b[15]};
        return Optional.of(MacAddress.of(mac));
    }

    private static Inet6Address v6(String text) {
        try {
            return (Inet6Address) InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
