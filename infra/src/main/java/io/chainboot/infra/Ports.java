package io.chainboot.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Small helpers for TCP ports on loopback. */
public final class Ports {
    private Ports() {
    }

    /** A TCP port free right now on 127.0.0.1. */
    public static int free() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean isOpen(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Wait until {@code host:port} accepts connections, or the child dies, or the time is up. */
    public static void await(String what, String host, int port, Duration timeout, ChildProcess child) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (isOpen(host, port)) {
                return;
            }
            if (child != null && !child.isAlive()) {
                throw new IllegalStateException(what + " exited during start-up (see " + child.log() + "):\n" + child.logTail(15));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what);
            }
        }
        throw new IllegalStateException(what + " did not open " + host + ":" + port + " within " + timeout.toSeconds() + " s"
                + (child != null ? " (see " + child.log() + ")" : ""));
    }
}
