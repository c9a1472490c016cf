package io.chainboot.script.assets;

import io.chainboot.common.Addresses;
import io.chainboot.common.BootEventPublisher;
import io.chainboot.common.LeaseDirectory;
import io.chainboot.events.EventSource;
import io.chainboot.events.HttpEvents;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.Names;
import io.chainboot.script.config.ScriptConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code GET|HEAD /boot-files/**}: the loaders UEFI HTTP Boot firmware fetches (the URL dhcp-service
 * puts in option 67 for an {@code HTTPClient}), from {@code chainboot.script.boot-files-dir} — the
 * TFTP root, so a loader is the same file over both transports. Served like {@code /assets/}
 * (validators, one range, HEAD: OVMF asks HEAD first for the size). A whole 200 body publishes
 * {@code http.completed} (stage FIRMWARE_LOADED, as {@code tftp.completed}); a file that is not
 * there {@code http.failed}. The MAC comes from the lease table, else from the URL's {@code mac}
 * query parameter that dhcp-service puts in the HTTP Boot URL (in proxy mode no lease of ours names
 * the machine), else the event is keyed by IP. A client fetching over IPv6 (UEFI HTTPv6 Boot) is looked
 * up by its IPv6 address among dhcp-service's DHCPv6 leases (full mode) and its event carries {@code ipv6}
 * instead of {@code ip}.
 */
@ApplicationScoped
public class BootFileRoute {
    private static final Logger LOG = Logger.getLogger(BootFileRoute.class);
    static final String PREFIX = "/boot-files/";

    private final Optional<AssetPaths> paths;
    private final BootEventPublisher publisher;
    private final LeaseDirectory leases;
    private final EventSource source;

    public BootFileRoute(ScriptConfig config, BootEventPublisher publisher, LeaseDirectory leases, EventSource source) {
        this.paths = config.bootFilesDir().filter(d -> !d.isBlank()).map(d -> new AssetPaths(Path.of(d)));
        this.publisher = publisher;
        this.leases = leases;
        this.source = source;
    }

    void routes(@Observes Router router) {
        router.route(PREFIX + "*").method(HttpMethod.GET).method(HttpMethod.HEAD).blockingHandler(this::serve, false);
    }

    void serve(RoutingContext rc) {
        long start = System.nanoTime();
        String raw = rc.request().path();
        String rel = raw.length() > PREFIX.length() ? raw.substring(PREFIX.length()) : "";
        Optional<InetAddress> peer = Addresses.literal(rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().hostAddress());
        Client client = new Client(peer.filter(a -> a instanceof Inet4Address).map(Ipv4Address::of).orElse(null),
                peer.filter(a -> a instanceof Inet6Address).map(a -> Names.ipv6((Inet6Address) a)).orElse(null));
        MacAddress mac = peer.flatMap(leases::macOf).orElseGet(() -> macParam(rc));
        String name = AssetPaths.percentDecode(rel);
        String file = name == null ? rel : name;
        if (paths.isEmpty()) {
            refuse(rc, client, mac, file, "boot files are not served over HTTP (chainboot.script.boot-files-dir unset)");
            return;
        }
        Optional<Path> found = paths.get().resolve(rel);
        if (found.isEmpty()) {
            refuse(rc, client, mac, file, "no such boot file");
            return;
        }
        AssetRoute.send(rc, found.get(), bytes -> {
            long ms = (System.nanoTime() - start) / 1_000_000;
            LOG.infof("%s %s sent over HTTP to %s: %d bytes in %d ms", mac == null ? "-" : mac, file, client, bytes, ms);
            publisher.publish(new HttpEvents.Completed(UUID.randomUUID(), Instant.now(), source, mac, client.ip(), file, bytes, ms,
                    client.ipv6()));
        });
    }

    /** The fetching client's address: {@code ip} over IPv4 (an IPv4-mapped peer included), {@code ipv6} over IPv6. */
    record Client(Ipv4Address ip, String ipv6) {
        @Override
        public String toString() {
            return ip != null ? ip.toString() : ipv6 != null ? ipv6 : "-";
        }
    }

    private void refuse(RoutingContext rc, Client client, MacAddress mac, String file, String reason) {
        LOG.warnf("%s boot file %s for %s: %s", mac == null ? "-" : mac, file, client, reason);
        rc.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end(reason + "\n");
        if (client.ip() != null || client.ipv6() != null || mac != null) {
            publisher.publish(new HttpEvents.Failed(UUID.randomUUID(), Instant.now(), source, mac, client.ip(), file, 404, reason,
                    client.ipv6()));
        }
    }

    /** {@code ?mac=52-54-00-…} (dhcp-service's HTTP Boot URL), null when absent or not a MAC. */
    static MacAddress macParam(RoutingContext rc) {
        String m = rc.request().getParam("mac");
        if (m == null) {
            return null;
        }
        try {
            return MacAddress.parse(m);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
