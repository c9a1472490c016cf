package io.chainboot.dhcp.v6.server;

import io.chainboot.dhcp.DhcpConfig;
import io.chainboot.dhcp.v6.answer.Dhcpv6Settings;
import io.chainboot.events.Names;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** Turns {@code chainboot.dhcp.v6.*} into {@link Dhcpv6ServerSettings}; each failure names the key to set. */
public final class V6Resolver {
    private V6Resolver() {
    }

    /**
     * Empty when DHCPv6 is off: {@code enabled=false}, or {@code auto} without a pool (or in proxy mode).
     *
     * @param full    full mode (addresses from the pool) or proxy style
     * @param nif     the boot LAN interface (ff02::1:2 is joined there; its address is the default server address)
     */
    public static Optional<Dhcpv6ServerSettings> resolve(DhcpConfig c, boolean full, NetworkInterface nif) throws IOException {
        DhcpConfig.V6 v = c.v6();
        String enabled = v.enabled().strip().toLowerCase(Locale.ROOT);
        Optional<String> poolText = v.pool().filter(p -> !p.isBlank());
        if (!full && poolText.isPresent()) {
            throw new IllegalArgumentException("chainboot.dhcp.v6.pool needs chainboot.dhcp.mode=full (proxy mode gives no addresses)");
        }
        boolean on = switch (enabled) {
            case "auto" -> full && poolText.isPresent();
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("chainboot.dhcp.v6.enabled must be auto, true or false, not '" + v.enabled() + "'");
        };
        if (!on) {
            return Optional.empty();
        }
        if (full && poolText.isEmpty()) {
            throw new IllegalArgumentException("chainboot.dhcp.v6.enabled=true in full mode needs chainboot.dhcp.v6.pool (e.g. fd77::100-fd77::1ff)");
        }
        Optional<V6Pool> pool = poolText.map(V6Pool::parse);
        Inet6Address server = serverAddress(v.serverAddress(), nif);
        String scriptUrl = v.scriptUrl().filter(s -> !s.isBlank())
                .orElseGet(() -> withHost(c.scriptUrl().orElseThrow(() -> new IllegalArgumentException(
                        "set chainboot.dhcp.v6.script-url or chainboot.dhcp.script-url")), v6Host(server), "chainboot.dhcp.script-url"));
        scriptUrl = scriptUrl + (scriptUrl.contains("?") ? "&" : "?") + Names.IPXE_SCRIPT_QUERY;
        String httpBase = v.httpBootUrl().filter(s -> !s.isBlank())
                .or(() -> c.httpBootUrl().filter(s -> !s.isBlank()).map(u -> withHost(u, v6Host(server), "chainboot.dhcp.http-boot-url")))
                .orElse(null);
        String tftpBase = "tftp://" + Names.uriHost(v6Host(server)) + "/";
        byte[] mac = nif.getHardwareAddress();
        if (mac == null || mac.length == 0) {
            mac = new byte[]{0x02, 0, 0, 0, 0, 1}; // an interface without a MAC (tests on lo): a fixed local one
        }
        Dhcpv6Settings answers = new Dhcpv6Settings(pool.isPresent(), V6Events.duidLl(mac), tftpBase, httpBase,
                c.bootFiles().efiX64(), scriptUrl, c.pool().leaseTime());
        return Optional.of(new Dhcpv6ServerSettings(nif.getName(), v.port(), server, pool, answers, c.offerHold(),
                Path.of(c.stateDir()), c.leaseFsync()));
    }

    static String v6Host(Inet6Address a) {
        return Names.ipv6(a);
    }

    /** {@code url} with its host replaced by {@code host} (bracketed by {@link Names#uriHost}). */
    static String withHost(String url, String host, String key) {
        try {
            URI u = new URI(url.strip());
            if (u.getScheme() == null || u.getHost() == null) {
                throw new IllegalArgumentException(key + " '" + url + "' is not an absolute URL");
            }
            String rest = u.getRawPath() + (u.getRawQuery() != null ? "?" + u.getRawQuery() : "");
            return u.getScheme() + "://" + Names.uriHost(host) + (u.getPort() >= 0 ? ":" + u.getPort() : "") + rest;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + " '" + url + "' is not a URL: " + e.getMessage());
        }
    }

    static Inet6Address serverAddress(Optional<String> configured, NetworkInterface nif) {
        if (configured.filter(s -> !s.isBlank()).isPresent()) {
            String s = configured.get().strip();
            try {
                if (s.contains(":") && InetAddress.getByName(s) instanceof Inet6Address a && !a.isLinkLocalAddress()
                        && !a.isMulticastAddress()) {
                    return a;
                }
            } catch (UnknownHostException e) {
                // below
            }
            throw new IllegalArgumentException("chainboot.dhcp.v6.server-address '" + s + "' is not a global or unique-local IPv6 address");
        }
        return nif.inetAddresses().filter(a -> a instanceof Inet6Address).map(a -> (Inet6Address) a)
                .filter(a -> !a.isLinkLocalAddress() && !a.isLoopbackAddress()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("interface " + nif.getName()
                        + " has no global or unique-local IPv6 address; add one or set chainboot.dhcp.v6.server-address"));
    }
}
