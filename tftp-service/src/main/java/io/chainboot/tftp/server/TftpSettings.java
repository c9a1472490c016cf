package io.chainboot.tftp.server;

import io.chainboot.tftp.transfer.OptionLimits;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

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
 * @param grubConfigUrl script-service's {@code /grub/} URL: the GRUB configurations of the Secure Boot path
 *                     ({@code grub/grub.cfg}, {@code grub/grub.cfg-<mac>}) are fetched there; empty = served from the root
 * @param optionalFiles names boot loaders probe for and boot without (shim's revocation lists, GRUB's
 *                     module lists): a missing one is ERROR 1 as always, but no {@code tftp.failed}
 */
public record TftpSettings(InetSocketAddress bind, Path root, OptionLimits limits, int retries,
                           int maxTransfers, int ioThreads, boolean connectedSockets, Optional<URI> grubConfigUrl,
                           Set<String> optionalFiles) {
    public TftpSettings {
        if (retries < 0 || maxTransfers < 1 || ioThreads < 1) {
            throw new IllegalArgumentException("retries >= 0, max-transfers >= 1, io-threads >= 1");
        }
        optionalFiles = Set.copyOf(optionalFiles);
    }

    /** No GRUB forwarding, no optional files. */
    public TftpSettings(InetSocketAddress bind, Path root, OptionLimits limits, int retries,
                        int maxTransfers, int ioThreads, boolean connectedSockets) {
        this(bind, root, limits, retries, maxTransfers, ioThreads, connectedSockets, Optional.empty(), Set.of());
    }

    /** With connected transfer sockets (the default). */
    public TftpSettings(InetSocketAddress bind, Path root, OptionLimits limits, int retries, int maxTransfers, int ioThreads) {
        this(bind, root, limits, retries, maxTransfers, ioThreads, true);
    }
}
