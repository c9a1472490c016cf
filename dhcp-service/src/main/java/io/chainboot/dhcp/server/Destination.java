package io.chainboot.dhcp.server;

import io.chainboot.dhcp.codec.DhcpPacket;
import io.chainboot.dhcp.codec.MessageType;
import io.chainboot.events.Ipv4Address;

/** Where a reply is sent. */
public record Destination(Ipv4Address ip, int port) {

    /**
     * RFC 2131 §4.1 "where does the reply go", plus PXE spec 2.1 §2.2.5 for the proxy port:
     * <ol>
     *   <li>a request on the proxyDHCP port is answered to its source address and port;</li>
     *   <li>giaddr set: to the relay, on the server port (67);</li>
     *   <li>a NAK without relay: broadcast;</li>
     *   <li>ciaddr set (RENEWING, REBINDING, INFORM): unicast to ciaddr;</li>
     *   <li>otherwise broadcast to 255.255.255.255. (Unicast to yiaddr/chaddr of a client without an
     *   address needs an ARP entry a Java socket cannot install; §4.1 allows broadcasting instead.)</li>
     * </ol>
     */
    public static Destination of(DhcpPacket request, MessageType replyType, Ingress ingress, int serverPort,
                                 int clientPort) {
        if (ingress.proxyPort() && !ingress.sourceIp().isAny()) {
            return new Destination(ingress.sourceIp(), ingress.sourcePort());
        }
        if (!request.giaddr().isAny()) {
            return new Destination(request.giaddr(), serverPort);
        }
        if (replyType == MessageType.NAK) {
            return new Destination(Ipv4Address.BROADCAST, clientPort);
        }
        if (!request.ciaddr().isAny()) {
            return new Destination(request.ciaddr(), clientPort);
        }
        return new Destination(Ipv4Address.BROADCAST, clientPort);
    }
}
