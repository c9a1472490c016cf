package io.chainboot.tftp.server;

import io.chainboot.events.EventSource;
import io.chainboot.tftp.FixedLeases;
import io.chainboot.common.testing.RecordingPublisher;
import io.chainboot.tftp.transfer.OptionLimits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/** A real {@link TftpServer} on 127.0.0.1 and a random port, with recording fakes around it. */
final class ServerFixture implements AutoCloseable {
    final RecordingPublisher events = new RecordingPublisher();
    final FixedLeases leases = new FixedLeases();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final TftpServer server;
    final InetSocketAddress address;

    ServerFixture(Path root, int maxBlksize, int timeoutMs, int retries, int maxTransfers) throws IOException {
        this(root, maxBlksize, timeoutMs, retries, maxTransfers, true);
    }

    ServerFixture(Path root, int maxBlksize, int timeoutMs, int retries, int maxTransfers, boolean connectedSockets)
            throws IOException {
        TftpSettings s = new TftpSettings(new InetSocketAddress("127.0.0.1", 0), root,
                new OptionLimits(maxBlksize, 64, timeoutMs), retries, maxTransfers, 2, connectedSockets);
        server = new TftpServer(s, events, leases, new EventSource("tftp-service", "test"), meters);
        address = server.start();
    }

    ServerFixture(Path root) throws IOException {
        this(root, 65464, 300, 3, 500);
    }

    int port() {
        return address.getPort();
    }

    double counter(String name, String... tags) {
        var c = meters.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        server.close();
    }
}
