package io.chainboot.common;

import io.chainboot.events.Decoded;
import io.chainboot.events.EventJson;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.Lease;
import io.chainboot.events.Names;
import io.chainboot.events.Topics;
import org.jboss.logging.Logger;

import java.net.Inet6Address;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The records of {@link Topics#LEASES} as they came, by key, decoded only when an address is looked up (every
 * lease the DHCP service writes reaches the view, but only the few addresses that fetch a file or log in are
 * asked for). A key is an IPv4 address or an IPv6 one in RFC 5952 text ({@link Lease#key()}). Thread-safe: the
 * view's thread puts, request threads look up.
 */
final class LeaseRecords implements CompactedTopicView.Sink, LeaseDirectory {
    private static final Logger LOG = Logger.getLogger(LeaseRecords.class);
    private final Map<String, byte[]> records = new ConcurrentHashMap<>();

    @Override
    public void put(String key, byte[] value, long offset) {
        records.put(key, value);
    }

    @Override
    public void remove(String key) {
        records.remove(key);
    }

    @Override
    public int size() {
        return records.size();
    }

    @Override
    public Optional<Lease> byIp(Ipv4Address ip) {
        return lookup(ip.toString());
    }

    /** A DHCPv6 lease: its record is keyed by the address's RFC 5952 text, as dhcp-service writes it. */
    @Override
    public Optional<Lease> byIpv6(Inet6Address ip) {
        return lookup(Names.ipv6(ip));
    }

    private Optional<Lease> lookup(String key) {
        byte[] record = records.get(key);
        if (record == null) {
            return Optional.empty();
        }
        Decoded<Lease> decoded = EventJson.decodeLease(record);
        if (decoded instanceof Decoded.Valid<Lease> v) {
            return Optional.of(v.value());
        }
        LOG.warnf("%s: bad record for %s: %s", Topics.LEASES, key, ((Decoded.Invalid<Lease>) decoded).reason());
        return Optional.empty();
    }
}
