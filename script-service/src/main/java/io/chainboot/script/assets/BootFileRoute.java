package io.chainboot.script.assets;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.common.LeaseDirectory;
import io.chainboot.events.EventSource;
import io.chainboot.events.HttpEvents;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.script.config.ScriptConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

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
 * the machine), else the event is keyed by IP.
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
        Ipv4Address ip = ipv4(rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().hostAddress());
        MacAddress mac = (ip == null ? Optional.<MacAddress>empty() : leases.macOf(ip)).orElseGet(() -> macParam(rc));
        String name = AssetPaths.percentDecode(rel);
        String file = name == null ? rel : name;
        if (paths.isEmpty()) {
            refuse(rc, ip, mac, file, "boot files are not served over HTTP (chainboot.script.boot-files-dir unset)");
            return;
        }
        Optional<Path> found = paths.get().resolve(rel);
        if (found.isEmpty()) {
            refuse(rc, ip, mac, file, "no such boot file");
            return;
        }
        AssetRoute.send(rc, found.get(), bytes -> {
            long ms = (System.nanoTime() - start) / 1_000_000;
            LOG.infof("%s %s sent over HTTP to %s: %d bytes in %d ms", mac == null ? "-" : mac, file, ip, bytes, ms);
            publisher.publish(new HttpEvents.Completed(UUID.randomUUID(), Instant.now(), source, mac, ip, file, bytes, ms));
        });
    }

    private void refuse(RoutingContext rc, Ipv4Address ip, MacAddress mac, String file, String reason) {
        LOG.warnf("%s boot file %s for %s: %s", mac == null ? "-" : mac, file, ip, reason);
        rc.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end(reason + "\n");
        if (ip != null || mac != null) {
            publisher.publish(new HttpEvents.Failed(UUID.randomUUID(), Instant.now(), source, mac, ip, file, 404, reason));
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

    private static Ipv4Address ipv4(String addr) {
        if (addr == null) {
            return null;
        }
        try {
            return Ipv4Address.parse(addr);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
