package io.chainboot.common;

import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.MacAddress;

import java.util.Optional;

/** The in-memory view of {@link io.chainboot.events.Topics#LEASES}: which MAC holds an address. */
public interface LeaseDirectory {
    Optional<Lease> byIp(Ipv4Address ip);

    /** The MAC holding {@code ip}, expired leases included (a TFTP fetch right after expiry still names the machine). */
    default Optional<MacAddress> macOf(Ipv4Address ip) {
        return byIp(ip).map(Lease::mac);
    }
}
