package io.chainboot.dhcp.kafka;

import io.chainboot.common.BufferedKafkaSender;
import io.chainboot.dhcp.server.LeaseSink;
import io.chainboot.dhcp.server.Reply;
import io.chainboot.events.EventJson;
import io.chainboot.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;

/**
 * Publishes the lease table to the compacted {@link Topics#LEASES} topic: key = IP, value =
 * {@link EventJson#encode(io.chainboot.events.Lease)}, a tombstone (null value) when a lease is
 * released, declined or expires. The DHCP thread only enqueues, through service-common's
 * {@link BufferedKafkaSender} (metrics {@code chainboot.dhcp.leases.*}). A change that does not fit
 * is dropped and counted; the full re-publish on start repairs the compacted topic.
 */
public final class KafkaLeasePublisher implements LeaseSink, AutoCloseable {
    private final BufferedKafkaSender<Reply.LeaseChange> sender;

    public KafkaLeasePublisher(String bootstrap, int capacity, MeterRegistry registry) {
        this.sender = new BufferedKafkaSender<>("dhcp-lease-publisher", bootstrap, capacity, registry,
                "chainboot.dhcp.leases", KafkaLeasePublisher::toRecord);
    }

    /**
     * The compacted-topic record for one lease change: a put carries the lease, a removal is a tombstone. The key
     * is {@link io.chainboot.events.Lease#key()}: the IPv4 address, or a DHCPv6 lease's IPv6 address (RFC 5952).
     */
    static ProducerRecord<String, byte[]> toRecord(Reply.LeaseChange change) {
        if (change instanceof Reply.LeaseChange.Put p) {
            return new ProducerRecord<>(Topics.LEASES, p.lease().key(), EventJson.encode(p.lease()));
        }
        if (change instanceof Reply.LeaseChange.RemoveIpv6 r) {
            return new ProducerRecord<>(Topics.LEASES, io.chainboot.events.Names.ipv6(r.ip()), null);
        }
        return new ProducerRecord<>(Topics.LEASES, ((Reply.LeaseChange.Remove) change).ip().toString(), null);
    }

    @Override
    public void accept(Reply.LeaseChange change) {
        sender.offer(change);
    }

    @Override
    public void close() {
        sender.close(Duration.ofSeconds(3));
    }
}
