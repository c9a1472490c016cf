package io.chainboot.dhcp.it;

import io.chainboot.dhcp.ndp.NdpListener;
import io.chainboot.dhcp.ndp.RaPolicy;
import io.chainboot.dhcp.ndp.RaSettings;
import io.chainboot.dhcp.ndp.RouterAdvertiser;
import io.chainboot.dhcp.v6.answer.Dhcpv6Settings;
import io.chainboot.dhcp.v6.server.Dhcpv6Server;
import io.chainboot.dhcp.v6.server.Dhcpv6ServerSettings;
import io.chainboot.dhcp.v6.server.V6Events;
import io.chainboot.dhcp.v6.server.V6Pool;
import io.chainboot.events.EventJson;
import io.chainboot.events.EventSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The DHCPv6 server as its own process, for tests that run it inside a namespace:
 * {@code iface=br0 server6=fd77::1 [pool=START-END] state=DIR [ra=all]}. Prints {@code READY}, then one
 * {@code EVENT <json>} line per boot event and one {@code LEASE PUT <key> <json>} / {@code LEASE DEL <key>} line per
 * record it would write to {@code chainboot.leases}; {@code m} on stdin prints {@code MALFORMED n RECEIVED n SENT n};
 * it exits when stdin closes.
 */
public final class Dhcpv6TestServerMain {
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int i = arg.indexOf('=');
            a.put(arg.substring(0, i), arg.substring(i + 1));
        }
        PrintStream out = System.out;
        NetworkInterface nif = NetworkInterface.getByName(a.getOrDefault("iface", "br0"));
        Optional<V6Pool> pool = Optional.ofNullable(a.get("pool")).map(V6Pool::parse);
        Inet6Address server = (Inet6Address) InetAddress.getByName(a.get("server6"));
        String host = "[" + io.chainboot.events.Names.ipv6(server) + "]";
        Dhcpv6Settings answers = new Dhcpv6Settings(pool.isPresent(), V6Events.duidLl(nif.getHardwareAddress()),
                "tftp://" + host + "/", "http://" + host + ":8081/boot-files/", "ipxe.efi", "http://" + host + ":8081/boot.ipxe",
                Duration.ofSeconds(Long.parseLong(a.getOrDefault("lease-seconds", "3600"))));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Dhcpv6Server srv = new Dhcpv6Server(new Dhcpv6ServerSettings(nif.getName(), 547, server, pool, answers,
                Duration.ofSeconds(30), Path.of(a.get("state")), false), new EventSource("dhcp-service", "test"), e -> {
            synchronized (out) {
                out.println("EVENT " + new String(EventJson.encode(e), StandardCharsets.UTF_8));
                out.flush();
            }
        }, change -> {
            synchronized (out) {
                if (change instanceof io.chainboot.dhcp.server.Reply.LeaseChange.Put p) {
                    out.println("LEASE PUT " + p.lease().key() + " " + new String(EventJson.encode(p.lease()), StandardCharsets.UTF_8));
                } else if (change instanceof io.chainboot.dhcp.server.Reply.LeaseChange.RemoveIpv6 r) {
                    out.println("LEASE DEL " + io.chainboot.events.Names.ipv6(r.ip()));
                } else {
                    out.println("LEASE OTHER " + change);
                }
                out.flush();
            }
        }, registry, Clock.systemUTC());
        NdpListener ndp = null;
        if (a.containsKey("ra")) {
            RaSettings ra = RaSettings.of(RaPolicy.parse(a.get("ra"), true), Optional.ofNullable(a.get("ra-prefix")),
                    pool.isPresent(), true);
            ndp = NdpListener.start(new RouterAdvertiser(ra.policy(), ra.advertisement()), nif, registry);
        }
        srv.start();
        synchronized (out) {
            out.println("READY");
            out.flush();
        }
        int c;
        while ((c = System.in.read()) >= 0) {
            if (c == 'm') {
                synchronized (out) {
                    out.println("MALFORMED " + (long) registry.counter("chainboot.dhcp.v6.malformed").count()
                            + " RECEIVED " + (long) registry.counter("chainboot.dhcp.v6.received").count()
                            + " SENT " + (long) registry.counter("chainboot.dhcp.v6.sent").count());
                    out.flush();
                }
            }
        }
        if (ndp != null) {
            ndp.close();
        }
        srv.close();
        System.exit(0);
    }
}
