package io.chainboot.dhcp.server;

import io.chainboot.dhcp.boot.BootSettings;
import io.chainboot.dhcp.lease.Pool;
import io.chainboot.events.Ipv4Address;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything the server needs, resolved from config (server address known, URLs filled in).
 *
 * @param pool full mode only; empty in proxy mode
 * @param offerHold how long an OFFERed address is held for the client
 * @param declineQuarantine how long a DECLINEd address stays out of use
 * @param ipxeKeepSan send iPXE option 175.8 (keep-san) to iPXE clients
 * @param relayPools full mode: pools of subnets behind DHCP relay agents, chosen by giaddr ({@code Subnets})
 */
public record DhcpSettings(Mode mode, InetAddress bindAddress, int port, int proxyPort, int clientPort,
                           Ipv4Address serverAddress, Optional<Pool> pool, Duration leaseTime, Duration offerHold,
                           Duration declineQuarantine, Path stateDir, boolean fsync, BootSettings boot,
                           double perMacPerSecond, double globalPerSecond, boolean ipxeKeepSan, List<Pool> relayPools) {
    public DhcpSettings {
        relayPools = List.copyOf(relayPools);
    }

    /** One subnet: no relayed pools. */
    public DhcpSettings(Mode mode, InetAddress bindAddress, int port, int proxyPort, int clientPort,
                        Ipv4Address serverAddress, Optional<Pool> pool, Duration leaseTime, Duration offerHold,
                        Duration declineQuarantine, Path stateDir, boolean fsync, BootSettings boot,
                        double perMacPerSecond, double globalPerSecond, boolean ipxeKeepSan) {
        this(mode, bindAddress, port, proxyPort, clientPort, serverAddress, pool, leaseTime, offerHold, declineQuarantine,
                stateDir, fsync, boot, perMacPerSecond, globalPerSecond, ipxeKeepSan, List.of());
    }
}
