package io.chainboot.dhcp.v6.server;

import io.chainboot.dhcp.v6.answer.Dhcpv6Settings;

import java.net.Inet6Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The DHCPv6 server's settings ({@code chainboot.dhcp.v6.*}, resolved by {@code SettingsResolver.v6}).
 *
 * @param interfaceName the boot LAN interface: where ff02::1:2 is joined
 * @param port          UDP port to listen on (547, RFC 8415 §7.2)
 * @param serverAddress our global or unique-local IPv6 address, the host of every URL handed out
 * @param pool          full mode: IA_NA addresses; empty = proxy style (boot options, NoAddrsAvail)
 * @param answers       what the pure answers need
 * @param offerHold     how long an address offered in an Advertise is held for the client
 * @param stateDir      where {@link V6LeaseFile} lives (the DHCP state directory)
 * @param fsync         force each lease file rewrite to disk
 */
public record Dhcpv6ServerSettings(String interfaceName, int port, Inet6Address serverAddress, Optional<V6Pool> pool,
                                   Dhcpv6Settings answers, Duration offerHold, Path stateDir, boolean fsync) {
}
