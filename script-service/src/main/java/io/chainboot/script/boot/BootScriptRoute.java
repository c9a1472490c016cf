package io.chainboot.script.boot;

import io.chainboot.common.Listeners;
import io.chainboot.script.render.RenderOutcome;
import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
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
    static final long VIEW_WAIT_NANOS = 5_000_000_000L;

    private final BootScripts scripts;
    private final Listeners listeners;

    public BootScriptRoute(BootScripts scripts, @Readiness Listeners listeners) {
        this.scripts = scripts;
        this.listeners = listeners;
    }

    void routes(@Observes Router router) {
        listeners.expect(LISTENER);
        router.get("/boot.ipxe").handler(rc -> answer(rc, System.nanoTime()));
    }

    /**
     * Ready means ready: while the machine view is still loading a request is held (re-checked every
     * 100 ms, the event loop never blocks) for up to {@link #VIEW_WAIT_NANOS}; after that iPXE gets a
     * script that waits and fetches the same URL again, never a decision taken without the view.
     */
    private void answer(RoutingContext rc, long since) {
        HttpServerRequest req = rc.request();
        String script;
        if (!scripts.machineViewLoaded()) {
            if (System.nanoTime() - since < VIEW_WAIT_NANOS) {
                rc.vertx().setTimer(100, t -> answer(rc, since));
                return;
            }
            script = retryScript(req.scheme() + "://" + req.host() + req.uri());
        } else {
            RenderOutcome out = scripts.serve(req::getParam, req.scheme(), req.host(),
                    req.remoteAddress() == null ? null : req.remoteAddress().hostAddress());
            script = out.script();
        }
        rc.response()
                .putHeader("content-type", "text/plain; charset=utf-8")
                .putHeader("cache-control", "no-store")
                .end(script);
    }

    static String retryScript(String url) {
        return "#!ipxe\n"
                + "echo Chainboot is still loading its machines: trying again in 3 s\n"
                + "sleep 3\n"
                + "chain --replace --autofree " + url + "\n";
    }

    void started(@ObservesAsync HttpServerStart start) {
        listeners.bound(LISTENER, start.options().getHost() + ":" + start.options().getPort());
    }
}
