package io.chainboot.tftp.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicInteger;

/** Micrometer meters of the TFTP server (Prometheus names {@code tftp_*}). */
final class TftpMetrics {
    final Counter invalidPackets;
    final Counter wrongTid;
    final Counter completed;
    final Counter failed;
    final Counter probes;
    final Counter refused;
    final Counter busy;
    final Counter bytesSent;
    final Counter retransmits;
    final AtomicInteger active = new AtomicInteger();

    TftpMetrics(MeterRegistry registry) {
        invalidPackets = Counter.builder("tftp.packets.invalid").description("undecodable packets").register(registry);
        wrongTid = Counter.builder("tftp.packets.unknown.tid").description("packets from a wrong TID, answered with ERROR 5").register(registry);
        completed = outcome(registry, "completed");
        failed = outcome(registry, "failed");
        probes = outcome(registry, "probe");
        refused = outcome(registry, "refused");
        busy = outcome(registry, "busy");
        bytesSent = Counter.builder("tftp.bytes.sent").description("DATA payload bytes sent, retransmits included").register(registry);
        retransmits = Counter.builder("tftp.retransmits").description("DATA blocks sent again").register(registry);
        registry.gauge("tftp.transfers.active", active);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("tftp.transfers").tag("outcome", outcome).register(registry);
    }
}
