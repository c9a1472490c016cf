package io.chainboot.infra.launcher;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the launcher needs to know about the host (or the network namespace it runs in): who we
 * are, which ports need privileges, which IPv4 addresses each interface holds, and where the
 * default route goes. {@link #probe()} reads them; tests build one by hand.
 */
public record HostFacts(boolean root, int unprivilegedPortStart, Map<String, List<Address>> interfaces,
                        Optional<String> defaultRouteInterface) {

    /** One IPv4 address of an interface, with its prefix length. */
    public record Address(String ip, int prefix) {
    }

    public HostFacts {
        interfaces = Collections.unmodifiableMap(new LinkedHashMap<>(interfaces));
    }

    public static HostFacts probe() {
        return new HostFacts(effectiveUid(readOr("/proc/self/status", "")) == 0,
                parseIntOr(readOr("/proc/sys/net/ipv4/ip_unprivileged_port_start", "1024").trim(), 1024),
                interfaceAddresses(), defaultRouteInterface(readOr("/proc/net/route", "")));
    }

    /** The interface holding {@code ip}, if any. */
    public Optional<String> interfaceOf(String ip) {
        for (Map.Entry<String, List<Address>> e : interfaces.entrySet()) {
            for (Address a : e.getValue()) {
                if (a.ip().equals(ip)) {
                    return Optional.of(e.getKey());
                }
            }
        }
        return Optional.empty();
    }

    public Optional<Address> address(String ip) {
        return interfaces.values().stream().flatMap(List::stream).filter(a -> a.ip().equals(ip)).findFirst();
    }

    /** The effective uid from {@code /proc/self/status} ("Uid: real effective saved fs"); -1 when unknown. */
    static int effectiveUid(String procStatus) {
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("Uid:")) {
                String[] f = line.substring(4).trim().split("\\s+");
                if (f.length >= 2) {
                    return parseIntOr(f[1], -1);
                }
            }
        }
        return -1;
    }

    /** The interface of the first default route (destination 00000000) in {@code /proc/net/route}. */
    static Optional<String> defaultRouteInterface(String procNetRoute) {
        for (String line : procNetRoute.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 8 && f[1].equals("00000000") && f[7].equals("00000000") && !f[0].equals("Iface")) {
                return Optional.of(f[0]);
            }
        }
        return Optional.empty();
    }

    private static Map<String, List<Address>> interfaceAddresses() {
        Map<String, List<Address>> out = new LinkedHashMap<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                List<Address> list = new ArrayList<>();
                for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                    if (ia.getAddress() instanceof Inet4Address) {
                        list.add(new Address(ia.getAddress().getHostAddress(), ia.getNetworkPrefixLength()));
                    }
                }
                boolean up;
                try {
                    // isUp() also wants a carrier: a VM bridge before its first tap joins has none, yet
                    // it is configured and will carry traffic, so administratively up is enough
                    up = ni.isUp() || administrativelyUp(ni.getName());
                } catch (SocketException e) {
                    up = false;
                }
                if (!list.isEmpty() && up) {
                    out.put(ni.getName(), list);
                }
            }
        } catch (SocketException e) {
            // no interfaces readable: the caller falls back to loopback
        }
        return out;
    }

    /** IFF_UP (0x1) in /sys/class/net/NAME/flags. */
    static boolean administrativelyUp(String name) {
        String flags = readOr("/sys/class/net/" + name + "/flags", "0x0").trim();
        try {
            return (Long.decode(flags) & 0x1) != 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Reads until EOF: procfs files report size 0, and Files.readString then returns a short read ("1" of "1024"). */
    private static String readOr(String path, String fallback) {
        try (java.io.InputStream in = Files.newInputStream(Path.of(path))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return fallback;
        }
    }

    private static int parseIntOr(String s, int fallback) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
