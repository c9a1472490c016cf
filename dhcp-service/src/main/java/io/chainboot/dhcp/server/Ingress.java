package io.chainboot.dhcp.server;

import io.chainboot.events.Ipv4Address;

/**
 * Where a request arrived: the source address and port, and whether on the proxyDHCP port (4011).
 */
public record Ingress(Ipv4Address sourceIp, int sourcePort, boolean proxyPort) {
}
