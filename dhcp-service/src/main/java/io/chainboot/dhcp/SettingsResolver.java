package io.chainboot.dhcp;

import io.chainboot.dhcp.boot.BootSettings;
import io.chainboot.dhcp.ha.HaSettings;
import io.chainboot.dhcp.lease.Pool;
import io.chainboot.dhcp.lease.Subnets;
import io.chainboot.dhcp.server.DhcpSettings;
import io.chainboot.dhcp.server.Mode;
import io.chainboot.events.Ipv4Address;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Turns {@link DhcpConfig} into {@link DhcpSettings}, failing with a message that names the key to set. */
public final class SettingsResolver {
    private SettingsResolver() {
    }

    public static DhcpSettings resolve(DhcpConfig c) throws IOException {
        Mode mode;
        try {
            mode = Mode.valueOf(c.mode().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("chainboot.dhcp.mode must be 'proxy' or 'full', not '" + c.mode() + "'");
        }
        Ipv4Address server = serverAddress(c.serverAddress(), c.interfaceName());
        Optional<Pool> pool = Optional.empty();
        List<Pool> relayPools = List.of();
        if (mode == Mode.FULL) {
            if (c.pool().start().isEmpty() || c.pool().end().isEmpty() || c.pool().subnetMask().isEmpty()) {
                throw new IllegalArgumentException("full mode needs chainboot.dhcp.pool.start, .end and .subnet-mask");
            }
            pool = Optional.of(new Pool(Ipv4Address.parse(c.pool().start().get()), Ipv4Address.parse(c.pool().end().get()),
                    Ipv4Address.parse(c.pool().subnetMask().get()), c.pool().router().map(Ipv4Address::parse),
                    c.pool().dns().orElse(List.of()).stream().filter(s -> !s.isBlank()).map(Ipv4Address::parse).toList()));
            List<Ipv4Address> dns = pool.get().dns();
            relayPools = c.relayPools().orElse(List.of()).stream().filter(s -> !s.isBlank())
                    .map(s -> relayPool(s, dns)).toList();
            new Subnets(pool.get(), relayPools); // fails on two pools in one subnet
        } else if (c.relayPools().filter(l -> l.stream().anyMatch(s -> !s.isBlank())).isPresent()) {
            throw new IllegalArgumentException("chainboot.dhcp.relay-pools needs chainboot.dhcp.mode=full");
        }
        String scriptUrl = c.scriptUrl().filter(u -> !u.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                "set chainboot.dhcp.script-url (script-service's boot script URL iPXE fetches, e.g. http://"
                        + server + ":<script-service port>/boot.ipxe)"));
        BootSettings boot = new BootSettings(scriptUrl, c.tftpServer().orElse(server.toString()), c.bootFiles().bios(),
                c.bootFiles().efiX64(), c.bootFiles().efiArm64(), c.httpBootUrl(), c.httpBootFiles().efiX64(),
                c.httpBootFiles().efiArm64(), c.bootFiles().efiX64SecureBoot());
        return new DhcpSettings(mode, InetAddress.getByName(c.bindAddress()), c.port(), c.proxyPort(), c.clientPort(),
                server, pool, c.pool().leaseTime(), c.offerHold(), c.declineQuarantine(), Path.of(c.stateDir()),
                c.leaseFsync(), boot, c.rate().perMacPerSecond(), c.rate().globalPerSecond(), c.ipxeKeepSan(), relayPools);
    }

    /**
     * {@code chainboot.dhcp.ha.*}: present when enabled in full mode (proxy mode has nothing to
     * coordinate, docs/dhcp-ha.md); the messages name the key.
     */
    public static Optional<HaSettings> ha(DhcpConfig c, Mode mode, boolean kafkaEnabled) {
        DhcpConfig.Ha h = c.ha();
        if (!h.enabled() || mode != Mode.FULL) {
            return Optional.empty();
        }
        if (!kafkaEnabled) {
            throw new IllegalArgumentException("chainboot.dhcp.ha.enabled=true needs Kafka (chainboot.common.kafka-enabled=true)");
        }
        return Optional.of(new HaSettings(h.instances(), h.index(), h.mclt(), h.partnerDownAfter(), h.heartbeat(),
                h.viewStaleAfter()));
    }

    /** One {@code chainboot.dhcp.relay-pools} entry, {@code START-END/PREFIX[@ROUTER]}; the message names the key. */
    static Pool relayPool(String entry, List<Ipv4Address> dns) {
        String e = entry.strip();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("([0-9.]+)-([0-9.]+)/([0-9]{1,2})(?:@([0-9.]+))?").matcher(e);
        if (!m.matches()) {
            throw new IllegalArgumentException("chainboot.dhcp.relay-pools entry '" + e
                    + "' is not START-END/PREFIX[@ROUTER], e.g. 10.78.0.100-10.78.0.200/24@10.78.0.1");
        }
        int prefix = Integer.parseInt(m.group(3));
        if (prefix < 8 || prefix > 30) {
            throw new IllegalArgumentException("chainboot.dhcp.relay-pools entry '" + e + "': prefix /" + prefix
                    + " is not between /8 and /30");
        }
        try {
            Ipv4Address mask = new Ipv4Address((int) (0xFFFFFFFFL << (32 - prefix)));
            Optional<Ipv4Address> router = Optional.ofNullable(m.group(4)).map(Ipv4Address::parse);
            Pool p = new Pool(Ipv4Address.parse(m.group(1)), Ipv4Address.parse(m.group(2)), mask, router, dns);
            if (router.isPresent() && !p.inSubnet(router.get())) {
                throw new IllegalArgumentException("router " + router.get() + " is not on the pool's subnet");
            }
            return p;
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("chainboot.dhcp.relay-pools entry '" + e + "': " + ex.getMessage(), ex);
        }
    }

    /** {@code server-address}, else the first IPv4 address of {@code interface}, else a clear failure. */
    static Ipv4Address serverAddress(Optional<String> configured, Optional<String> iface) {
        if (configured.isPresent()) {
            return Ipv4Address.parse(configured.get());
        }
        if (iface.isEmpty()) {
            throw new IllegalArgumentException("set chainboot.dhcp.server-address (our IPv4 on the boot network) "
                    + "or chainboot.dhcp.interface to take it from");
        }
        try {
            NetworkInterface ni = NetworkInterface.getByName(iface.get());
            if (ni == null) {
                throw new IllegalArgumentException("chainboot.dhcp.interface '" + iface.get() + "' does not exist");
            }
            return ni.inetAddresses().filter(a -> a instanceof Inet4Address).findFirst().map(Ipv4Address::of)
                    .orElseThrow(() -> new IllegalArgumentException("chainboot.dhcp.interface '" + iface.get()
                            + "' has no IPv4 address; set chainboot.dhcp.server-address"));
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }
}
