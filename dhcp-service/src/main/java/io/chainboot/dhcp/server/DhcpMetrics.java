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
        this.malformed = dropped("malformed");
        this.ratePerMac = dropped("rate-per-mac");
        this.rateGlobal = dropped("rate-global");
        this.ignored = Counter.builder("chainboot.dhcp.ignored")
                .description("decoded requests the responder chose not to answer (its reason is logged at DEBUG)").register(registry);
        this.sendErrors = Counter.builder("chainboot.dhcp.send.errors").description("replies the socket failed to send").register(registry);
        this.viewLoading = dropped("machine-view-loading");
        this.leaseViewLoading = dropped("lease-view-loading");
    }

    private Counter dropped(String reason) {
        return Counter.builder("chainboot.dhcp.dropped").tag("reason", reason)
                .description("packets dropped unanswered, by reason").register(registry);
    }

    void received(String type) {
        received.computeIfAbsent(type, t -> Counter.builder("chainboot.dhcp.received").tag("type", t)
                .description("DHCP messages received, by message type").register(registry)).increment();
    }

    void sent(String type) {
        sent.computeIfAbsent(type, t -> Counter.builder("chainboot.dhcp.sent").tag("type", t)
                .description("DHCP messages sent, by message type").register(registry)).increment();
    }

    public double malformed() {
        return malformed.count();
    }

    public double rateLimited() {
        return ratePerMac.count() + rateGlobal.count();
    }
}
