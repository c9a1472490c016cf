package io.chainboot.dhcp.ndp;

import io.chainboot.dhcp.ndp.NdpMessage.PrefixInformation;
import io.chainboot.dhcp.ndp.NdpMessage.RouterAdvertisement;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/** The router-advertisement responder's settings, checked: which solicitations, and what is advertised. */
public record RaSettings(RaPolicy policy, RouterAdvertisement advertisement) {
    static final long PREFIX_VALID_SECONDS = 86_400;
    static final long PREFIX_PREFERRED_SECONDS = 14_400;

    /**
     * @param prefix {@code ADDR/LEN}, e.g. {@code fd77::/64}: advertised on-link and autonomous (SLAAC,
     *               RFC 4862 §5.5.3 needs a /64 on Ethernet); empty = no prefix
     */
    public static RaSettings of(RaPolicy policy, Optional<String> prefix) {
        return of(policy, prefix, false, false);
    }

    /**
     * As {@link #of(RaPolicy, Optional)} with the M and O flags (RFC 4861 §4.2): set when Chainboot serves
     * DHCPv6 (M: addresses from DHCPv6, full mode with a v6 pool; O: other configuration, here the boot file
     * URL). iPXE starts DHCPv6 only when one of them is set. Still no default route (router lifetime 0), and a
     * prefix only when configured.
     */
    public static RaSettings of(RaPolicy policy, Optional<String> prefix, boolean managed, boolean other) {
        List<PrefixInformation> prefixes = prefix.filter(p -> !p.isBlank()).map(RaSettings::prefix).map(List::of).orElse(List.of());
        return new RaSettings(policy, new RouterAdvertisement(0, managed, other, 0, 0, 0, Optional.empty(), Optional.empty(), prefixes));
    }

    static PrefixInformation prefix(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        String what = "chainboot.dhcp.router-advertisement-prefix '" + text + "'";
        if (slash < 0) {
            throw new IllegalArgumentException(what + " needs a length, e.g. fd77::/64");
        }
        int len;
        try {
            len = Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": the length is not a number");
        }
        if (len < 1 || len > 128) {
            throw new IllegalArgumentException(what + ": the length must be 1-128");
        }
        String addr = t.substring(0, slash);
        if (!addr.contains(":")) {
            throw new IllegalArgumentException(what + " is not an IPv6 prefix");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(addr);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(what + " is not an IPv6 prefix");
        }
        if (!(a instanceof Inet6Address) || a.isLinkLocalAddress() || a.isMulticastAddress()) {
            throw new IllegalArgumentException(what + " must be a global or unique-local IPv6 prefix");
        }
        byte[] bytes = a.getAddress();
        for (int bit = len; bit < 128; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8)); // keep only the prefix bits
        }
        return new PrefixInformation(bytes, len, true, true, PREFIX_VALID_SECONDS, PREFIX_PREFERRED_SECONDS);
    }
}
