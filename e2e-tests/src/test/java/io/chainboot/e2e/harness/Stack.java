package io.chainboot.e2e.harness;

import java.nio.file.Path;
import java.util.Map;

/**
 * What most e2e test classes start once: Chainboot up in a test namespace, and an inventory client
 * for it. Starting it never leaks the namespace (a failed {@code up} closes it); closing it stops
 * Chainboot, then removes the namespace.
 */
public final class Stack implements AutoCloseable {
    public final TestNamespace ns;
    public final Chainboot chainboot;
    public final Inventory inventory;

    private Stack(TestNamespace ns, Chainboot chainboot) {
        this.ns = ns;
        this.chainboot = chainboot;
        this.inventory = new Inventory(chainboot);
    }

    /** {@link Chainboot#up(TestNamespace, Path, String, Map, String...)} in {@code ns}, which this stack then owns. */
    public static Stack up(TestNamespace ns, Path state, String dhcpMode, Map<String, String> env, String... extra) {
        try {
            return new Stack(ns, Chainboot.up(ns, state, dhcpMode, env, extra));
        } catch (RuntimeException | Error e) {
            ns.close();
            throw e;
        }
    }

    public static Stack up(TestNamespace ns, Path state, String dhcpMode, String... extra) {
        return up(ns, state, dhcpMode, Map.of(), extra);
    }

    @Override
    public void close() {
        try {
            chainboot.close();
        } finally {
            ns.close();
        }
    }
}
