package io.chainboot.dhcp.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

/** Micrometer counters of the DHCP server ({@code chainboot.dhcp.*}). */
public final class DhcpMetrics {
    private final MeterRegistry registry;
    final Counter malformed;
    final Counter ratePerMac;
    final Counter rateGlobal;
    final Counter ignored;
    final Counter sendErrors;
    final Counter viewLoading;
    final Counter leaseViewLoading;
    private final Map<String, Counter> received = new ConcurrentHashMap<>();
    private final Map<String, Counter> sent = new ConcurrentHashMap<>();

    public DhcpMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.malformed = registry.counter("chainboot.dhcp.dropped", "reason", "malformed");
        this.ratePerMac = registry.counter("chainboot.dhcp.dropped", "reason", "rate-per-mac");
        this.rateGlobal = registry.counter("chainboot.dhcp.dropped", "reason", "rate-global");
        this.ignored = registry.counter("chainboot.dhcp.ignored");
        this.sendErrors = registry.counter("chainboot.dhcp.send.errors");
        this.viewLoading = registry.counter("chainboot.dhcp.dropped", "reason", "machine-view-loading");
        this.leaseViewLoading = registry.counter("chainboot.dhcp.dropped", "reason", "lease-view-loading");
    }

    void received(String type) {
        received.computeIfAbsent(type, t -> registry.counter("chainboot.dhcp.received", "type", t)).increment();
    }

    void sent(String type) {
        sent.computeIfAbsent(type, t -> registry.counter("chainboot.dhcp.sent", "type", t)).increment();
    }

    public double malformed() {
        return malformed.count();
    }

    public double rateLimited() {
        return ratePerMac.count() + rateGlobal.count();
    }
}
