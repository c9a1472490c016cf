package io.chainboot.tftp.server;

import io.chainboot.tftp.transfer.OptionLimits;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * Everything a {@link TftpServer} needs, as plain values (built from {@code TftpConfig} in the
 * service, by hand in tests).
 *
 * @param retries      retransmissions of a packet before a transfer gives up
 * @param maxTransfers concurrent transfers; further read requests wait in line ({@link WaitingRequests}) unanswered
 * @param ioThreads    selector threads sharing the transfers
 * @param connectedSockets whether each transfer also gets a socket {@code connect()}ed to the
 *                     client for its traffic (cheaper per packet); off = everything through the
 *                     unconnected transfer socket
 */
public record TftpSettings(InetSocketAddress bind, Path root, OptionLimits limits, int retries,
                           int maxTransfers, int ioThreads, boolean connectedSockets) {
    public TftpSettings {
        if (retries < 0 || maxTransfers < 1 || ioThreads < 1) {
            throw new IllegalArgumentException("retries >= 0, max-transfers >= 1, io-threads >= 1");
        }
    }

    /** With connected transfer sockets (the default). */
    public TftpSettings(InetSocketAddress bind, Path root, OptionLimits limits, int retries, int maxTransfers, int ioThreads) {
        this(bind, root, limits, retries, maxTransfers, ioThreads, true);
    }
}
