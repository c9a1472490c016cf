package io.chainboot.script.boot;

import io.chainboot.common.Listeners;
import io.chainboot.script.render.RenderOutcome;
import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code GET /boot.ipxe}: a thin Vert.x adapter on the event loop (rendering is in-memory and
 * non-blocking). Always 200 with {@code text/plain} and {@code #!ipxe}: an error is a script that
 * shows it on the console, because iPXE cannot show an HTTP error's body.
 */
@ApplicationScoped
public class BootScriptRoute {
    static final String LISTENER = "http";

    private final BootScripts scripts;
    private final Listeners listeners;

    public BootScriptRoute(BootScripts scripts, @Readiness Listeners listeners) {
        this.scripts = scripts;
        this.listeners = listeners;
    }

    void routes(@Observes Router router) {
        listeners.expect(LISTENER);
        router.get("/boot.ipxe").handler(rc -> {
            HttpServerRequest req = rc.request();
            RenderOutcome out = scripts.serve(req::getParam, req.scheme(), req.host(),
                    req.remoteAddress() == null ? null : req.remoteAddress().hostAddress());
            rc.response()
                    .putHeader("content-type", "text/plain; charset=utf-8")
                    .putHeader("cache-control", "no-store")
                    .end(out.script());
        });
    }

    void started(@ObservesAsync HttpServerStart start) {
        listeners.bound(LISTENER, start.options().getHost() + ":" + start.options().getPort());
    }
}
