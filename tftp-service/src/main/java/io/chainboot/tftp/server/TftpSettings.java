package io.chainboot.tftp.server;

import io.chainboot.tftp.transfer.OptionLimits;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * Everything a {@link TftpServer} needs, as plain values (built from {@code TftpConfig} in the
 * service, by hand in tests).
 *
 * @param retries      retransmissions of a packet before a transfer gives up
 * @param maxTransfers concurrent transfers; further read requests get ERROR 0 "server busy"
 * @param ioThreads    selector threads sharing the transfers
 */
public record TftpSettings(InetSocketAddress bind, Path root, OptionLimits limits, int retries,
                           int maxTransfers, int ioThreads) {
    public TftpSettings {
        if (retries < 0 || maxTransfers < 1 || ioThreads < 1) {
            throw new IllegalArgumentException("retries >= 0, max-transfers >= 1, io-threads >= 1");
        }
    }
}
