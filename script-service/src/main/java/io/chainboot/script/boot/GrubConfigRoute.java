package io.chainboot.script.boot;

import io.chainboot.events.MacAddress;
import io.chainboot.script.render.GrubRenderer;
import io.chainboot.script.render.RenderOutcome;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code GET /grub/grub.cfg} and {@code GET /grub/grub.cfg-<mac>}: the GRUB configuration of the Secure
 * Boot path. Debian's signed network GRUB reads {@code /grub/grub.cfg} from its TFTP server and nothing
 * over HTTP, so tftp-service forwards those TFTP names here ({@code chainboot.tftp.grub-config-url}) with
 * the machine's address in {@code ?ip=}. {@code grub.cfg} is the same stub for every machine (it makes
 * GRUB ask for {@code grub.cfg-${net_default_mac}}: the MAC comes from GRUB itself, so no lease is needed,
 * proxy mode included); {@code grub.cfg-<mac>} is that machine's configuration (an event, like
 * {@code /boot.ipxe}). Always 200 {@code text/plain} for those two: a failure is a configuration that
 * shows the reason. Any other name is 404.
 */
@ApplicationScoped
public class GrubConfigRoute {
    static final String MACHINE_PREFIX = "grub.cfg-";
    static final long VIEW_WAIT_NANOS = 5_000_000_000L;

    private final BootScripts scripts;

    public GrubConfigRoute(BootScripts scripts) {
        this.scripts = scripts;
    }

    void routes(@Observes Router router) {
        router.get("/grub/:file").handler(rc -> answer(rc, System.nanoTime()));
    }

    private void answer(RoutingContext rc, long since) {
        String file = rc.pathParam("file");
        String clientIp = rc.request().getParam("ip");
        String text;
        if ("grub.cfg".equals(file)) {
            text = GrubRenderer.stub();
        } else if (file != null && file.startsWith(MACHINE_PREFIX)) {
            MacAddress mac;
            try {
                mac = MacAddress.parse(file.substring(MACHINE_PREFIX.length()));
            } catch (IllegalArgumentException e) {
                rc.response().setStatusCode(404).putHeader("content-type", "text/plain; charset=utf-8")
                        .end("not a MAC address: grub.cfg-<mac> names a machine by GRUB's net_default_mac\n");
                return;
            }
            if (!scripts.machineViewLoaded()) {
                if (System.nanoTime() - since < VIEW_WAIT_NANOS) {
                    rc.vertx().setTimer(100, t -> answer(rc, since));
                    return;
                }
                text = scripts.grubRetry(mac, "Chainboot is still loading its machines");
            } else {
                RenderOutcome out = scripts.serveGrub(mac, clientIp != null ? clientIp
                        : rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().hostAddress());
                text = out.script();
            }
        } else {
            rc.response().setStatusCode(404).putHeader("content-type", "text/plain; charset=utf-8")
                    .end("no such GRUB file: only grub.cfg and grub.cfg-<mac> are rendered here\n");
            return;
        }
        rc.response()
                .putHeader("content-type", "text/plain; charset=utf-8")
                .putHeader("cache-control", "no-store")
                .end(text);
    }
}
