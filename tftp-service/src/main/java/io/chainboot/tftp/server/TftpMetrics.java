package io.chainboot.tftp.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicInteger;

/** Micrometer meters of the TFTP server (Prometheus names {@code chainboot_tftp_*}, each with HELP text; docs/metrics.md). */
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
        invalidPackets = Counter.builder("chainboot.tftp.packets.invalid").description("undecodable packets").register(registry);
        wrongTid = Counter.builder("chainboot.tftp.packets.unknown.tid").description("packets from a wrong TID, answered with ERROR 5").register(registry);
        completed = outcome(registry, "completed");
        failed = outcome(registry, "failed");
        probes = outcome(registry, "probe");
        refused = outcome(registry, "refused");
        busy = outcome(registry, "busy");
        bytesSent = Counter.builder("chainboot.tftp.bytes.sent").description("DATA payload bytes sent, retransmits included").register(registry);
        retransmits = Counter.builder("chainboot.tftp.retransmits").description("DATA blocks sent again").register(registry);
        io.micrometer.core.instrument.Gauge.builder("chainboot.tftp.transfers.active", active, AtomicInteger::get)
                .description("read transfers in progress").register(registry);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("chainboot.tftp.transfers").tag("outcome", outcome)
                .description("read requests by outcome: completed, failed, probe (size asked, no data), refused, busy").register(registry);
    }
}
