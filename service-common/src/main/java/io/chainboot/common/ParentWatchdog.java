package io.chainboot.common;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;

/**
 * When {@code chainboot.common.die-with-parent} is set (the launcher sets it and keeps our stdin as
 * a pipe), the service exits when that pipe closes — i.e. when the launcher dies, even by kill -9.
 */
@ApplicationScoped
public class ParentWatchdog {
    private static final Logger LOG = Logger.getLogger(ParentWatchdog.class);

    void start(@Observes StartupEvent ev, CommonConfig config) {
        if (!config.dieWithParent()) {
            return;
        }
        Thread t = new Thread(() -> {
            InputStream in = System.in;
            byte[] buf = new byte[256];
            try {
                while (in.read(buf) >= 0) {
                    // the launcher never writes; anything read is ignored
                }
            } catch (IOException e) {
                // a broken pipe means the parent is gone as well
            }
            LOG.info("parent process gone (stdin closed): shutting down");
            Quarkus.asyncExit(0);
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(15_000);
                } catch (InterruptedException ignored) {
                    // fall through
                }
                Runtime.getRuntime().halt(1);
            }, "parent-watchdog-halt");
            killer.setDaemon(true);
            killer.start();
        }, "parent-watchdog");
        t.setDaemon(true);
        t.start();
    }
}
