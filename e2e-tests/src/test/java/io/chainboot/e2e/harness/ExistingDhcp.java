package io.chainboot.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DHCP server a user's network already has, for the proxy-mode tests: dnsmasq on a second
 * "host" namespace of the LAN, handing out addresses only (10.77.0.150-199, no boot options).
 */
public final class ExistingDhcp {
    private ExistingDhcp() {
    }

    /** Starts it in {@code lan} and waits until it listens on 67/udp. */
    public static TestNamespace.Daemon start(TestNamespace lan) throws IOException {
        Path conf = lan.dir().resolve("dnsmasq.conf");
        Files.writeString(conf, """
                port=0
                interface=eth0
                bind-interfaces
                dhcp-range=10.77.0.150,10.77.0.199,255.255.255.0,1h
                dhcp-leasefile=%1$s/leases
                dhcp-authoritative
                no-ping
                log-dhcp
                user=root
                """.formatted(lan.dir()));
        TestNamespace.Daemon dnsmasq = lan.start("dnsmasq", "dnsmasq", "--keep-in-foreground", "--log-facility=-",
                "--conf-file=" + conf);
        assertThat(lan.waitListening("udp", 67, Duration.ofSeconds(10)))
                .as("dnsmasq listening: %s", dnsmasq.logTail(500)).isTrue();
        return dnsmasq;
    }
}
