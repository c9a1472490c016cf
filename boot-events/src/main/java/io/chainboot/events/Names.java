package io.chainboot.events;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Names that several services must agree on, derived in one place so that the script iPXE runs
 * and the target that checks the login can never disagree.
 *
 * <ul>
 *   <li>target IQN of a machine's disk: {@code <prefix>:<hostname>} or {@code <prefix>:<mac-hyphenated>}</li>
 *   <li>initiator IQN set by its script: {@code <prefix>:initiator:<mac-hyphenated>} (RFC 3720 §3.2.6.3.1
 *       allows lower-case letters, digits, '-', '.' and ':')</li>
 *   <li>CHAP secret: HMAC-SHA256(cluster secret, canonical MAC), 16 hex characters (12–16 bytes is what
 *       Microsoft's initiator accepts)</li>
 *   <li>an address as the host part of a URL or an iPXE iSCSI root path: IPv6 literals in brackets
 *       (RFC 3986 §3.2.2; iPXE's {@code iscsi:} syntax, whose fields are separated by ':')</li>
 *   <li>the query iPXE appends to the boot-script URL ({@link #IPXE_SCRIPT_QUERY}): dhcp-service hands it
 *       out, script-service's own retry and menu links repeat it, script-service parses it</li>
 * </ul>
 */
public final class Names {
    /** Default naming authority for IQNs: {@code iqn.yyyy-mm.reversed-domain}. */
    public static final String DEFAULT_IQN_PREFIX = "iqn.2026-01.io.chainboot";

    /**
     * The query of the boot-script URL, in iPXE's settings syntax, expanded by iPXE itself before it
     * fetches {@code /boot.ipxe}: the MAC as {@code 52-54-00-…}, SMBIOS UUID, build architecture, platform
     * (pcbios/efi), and SMBIOS manufacturer and serial, URI-escaped (they may hold spaces or '&amp;').
     */
    public static final String IPXE_SCRIPT_QUERY = "mac=${mac:hexhyp}&uuid=${uuid}&arch=${buildarch}&platform=${platform}"
            + "&manufacturer=${manufacturer:uristring}&serial=${serial:uristring}";

    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern IQN_PREFIX = Pattern.compile("iqn\\.\\d{4}-\\d{2}\\.[a-z0-9][a-z0-9.-]*");
    private static final String INITIATOR = ":initiator:";

    private Names() {
    }

    /**
     * {@code host} as the host of a URL or of an iSCSI root path: an IPv6 literal ({@code fd77::1}) in brackets
     * ({@code [fd77::1]}); an IPv4 address, a name or an already bracketed literal as it is.
     */
    public static String uriHost(String host) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("no host");
        }
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /**
     * An IPv6 address in its RFC 5952 text (lower case, no leading zeros, the longest run of two or more zero
     * groups as {@code ::}, the first of equal runs), without a scope: {@code fd77::1}, never Java's
     * {@code fd77:0:0:0:0:0:0:1}. The form in events, URLs and lease files.
     */
    public static String ipv6(java.net.Inet6Address address) {
        byte[] b = address.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    /** {@code http://<host>:<port><path>}, the host through {@link #uriHost}; {@code path} starts with '/'. */
    public static String httpUrl(String host, int port, String path) {
        return "http://" + uriHost(host) + ":" + port + path;
    }

    /**
     * iPXE's iSCSI root path {@code iscsi:<server>:<protocol>:<port>:<LUN>:<target>} (RFC 4173 §5), the server
     * through {@link #uriHost} (an IPv6 address is bracketed, or iPXE splits it at its colons).
     */
    public static String iscsiRootPath(String server, int port, int lun, String targetIqn) {
        return "iscsi:" + uriHost(server) + "::" + port + ":" + lun + ":" + targetIqn;
    }

    public static boolean isValidHostname(String name) {
        return name != null && HOSTNAME.matcher(name).matches();
    }

    public static String checkIqnPrefix(String prefix) {
        if (prefix == null || !IQN_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("invalid IQN prefix '" + prefix + "': expected iqn.yyyy-mm.reversed.domain");
        }
        return prefix;
    }

    /** The target IQN of a machine's disk. */
    public static String targetIqn(String prefix, MacAddress mac, String hostname) {
        checkIqnPrefix(prefix);
        String name = isValidHostname(hostname) ? hostname.toLowerCase(Locale.ROOT) : mac.toHyphenated();
        return prefix + ":" + name;
    }

    public static String targetIqn(String prefix, MachineSpec spec) {
        return targetIqn(prefix, spec.mac(), spec.hostname());
    }

    /** The initiator IQN the machine's iPXE script sets; it carries the MAC. */
    public static String initiatorIqn(String prefix, MacAddress mac) {
        return checkIqnPrefix(prefix) + INITIATOR + mac.toHyphenated();
    }

    /** The MAC inside an initiator IQN made by {@link #initiatorIqn}, whatever its prefix. */
    public static Optional<MacAddress> macOfInitiator(String initiatorIqn) {
        if (initiatorIqn == null) {
            return Optional.empty();
        }
        int at = initiatorIqn.lastIndexOf(INITIATOR);
        if (at < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(MacAddress.parse(initiatorIqn.substring(at + INITIATOR.length())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The machine's CHAP secret, derived from the cluster secret that script and iscsi services share. */
    public static String chapSecret(String clusterSecret, MacAddress mac) {
        return derive(clusterSecret, "chap:" + mac);
    }

    /** The secret the target answers with in mutual CHAP. */
    public static String mutualChapSecret(String clusterSecret, MacAddress mac) {
        return derive(clusterSecret, "chap-mutual:" + mac);
    }

    private static String derive(String clusterSecret, String what) {
        if (clusterSecret == null || clusterSecret.length() < 12) {
            throw new IllegalArgumentException("the CHAP cluster secret must be at least 12 characters");
        }
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(clusterSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] out = hmac.doFinal(what.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(out, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
