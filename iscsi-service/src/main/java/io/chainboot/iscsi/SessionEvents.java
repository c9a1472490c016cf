package io.chainboot.iscsi;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.common.LeaseDirectory;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.IscsiEvents;
import io.chainboot.events.MacAddress;
import io.chainboot.events.Names;
import io.chainboot.iscsi.login.LoginHandler;
import io.chainboot.iscsi.login.LoginStatus;
import io.chainboot.iscsi.session.Connection;
import io.chainboot.iscsi.session.SessionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.net.Inet4Address;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * What the protocol layer reports, turned into boot events ({@link IscsiEvents}), Micrometer counters
 * and log lines (each starting with {@code mac=}). The service has one on the real registry and
 * publisher; the start-up warm-up has its own, with a publisher that only encodes each event
 * ({@code EventJson}, as the Kafka sender will) and drops it, a private meter registry, and log lines
 * formatted but not written, so the very same code runs without showing anywhere.
 */
final class SessionEvents implements SessionListener {
    private static final Logger LOG = Logger.getLogger(IscsiService.class);

    private final BootEventPublisher publisher;
    private final EventSource source;
    private final LeaseDirectory leases;
    private final boolean log;
    private final Counter bytesRead;
    private final Counter bytesWritten;
    private final Counter invalidPdus;
    private final Counter logins;
    private final Counter loginsRefused;

    SessionEvents(BootEventPublisher publisher, EventSource source, LeaseDirectory leases, MeterRegistry registry,
                  boolean log) {
        this.publisher = publisher;
        this.source = source;
        this.leases = leases;
        this.log = log;
        this.bytesRead = Counter.builder("chainboot.iscsi.bytes.read").description("bytes sent to initiators (Data-In)").register(registry);
        this.bytesWritten = Counter.builder("chainboot.iscsi.bytes.written").description("bytes written by initiators").register(registry);
        this.invalidPdus = Counter.builder("chainboot.iscsi.pdus.invalid").description("PDUs that could not be decoded or broke the protocol").register(registry);
        this.logins = Counter.builder("chainboot.iscsi.logins").description("completed logins").register(registry);
        this.loginsRefused = Counter.builder("chainboot.iscsi.logins.refused").description("refused logins").register(registry);
    }

    /**
     * A log line; without logging (the warm-up) the message is still formatted and dropped, so the
     * formatting code of these lines (and the values' toString) is warm when the first real machine
     * logs in: on a cold JVM the login line alone held the reader thread ~6 ms.
     */
    private void info(String format, Object... args) {
        if (log) {
            LOG.infof(format, args);
        } else {
            String.format(format, args);
        }
    }

    private void warn(String format, Object... args) {
        if (log) {
            LOG.warnf(format, args);
        } else {
            String.format(format, args);
        }
    }

    private Ipv4Address ipOf(Connection c) {
        return c.remote().getAddress() instanceof Inet4Address a ? Ipv4Address.of(a) : null;
    }

    private static String show(MacAddress mac) {
        return mac == null ? "unknown" : mac.toString();
    }

    private MacAddress macOf(String initiator, Ipv4Address ip) {
        Optional<MacAddress> mac = Names.macOfInitiator(initiator);
        if (mac.isEmpty() && ip != null) {
            mac = leases.macOf(ip);
        }
        return mac.orElse(null);
    }

    @Override
    public void loginCompleted(Connection c, LoginHandler.Result r) {
        logins.increment();
        Ipv4Address ip = ipOf(c);
        MacAddress mac = macOf(r.initiatorName(), ip);
        info("mac=%s login %s session: %s -> %s from %s (TSIH %d, ISID %s = %s; %s)", show(mac),
                    r.discovery() ? "discovery" : "normal", r.initiatorName(), r.targetName(), c.remote(), c.tsih(),
                    r.isid(), IscsiEvents.InitiatorKind.ofIsid(r.isid()), r.params());
        publisher.publish(new IscsiEvents.Login(UUID.randomUUID(), Instant.now(), source, mac, ip, r.initiatorName(),
                r.targetName(), r.discovery() ? IscsiEvents.SessionType.DISCOVERY : IscsiEvents.SessionType.NORMAL,
                c.tsih(), r.isid()));
    }

    @Override
    public void loginRefused(Connection c, String initiator, String target, LoginStatus status, String reason) {
        loginsRefused.increment();
        Ipv4Address ip = ipOf(c);
        MacAddress mac = macOf(initiator, ip);
        warn("mac=%s login refused (%s 0x%02x%02x): %s -> %s from %s: %s", show(mac), status,
                    status.statusClass(), status.detail(), initiator, target, c.remote(), reason);
        publisher.publish(new IscsiEvents.LoginRejected(UUID.randomUUID(), Instant.now(), source, mac, ip, initiator,
                target, reason, status.statusClass(), status.detail()));
    }

    @Override
    public void lunAttached(Connection c, int lun, long blocks, int blockSize) {
        Ipv4Address ip = ipOf(c);
        MacAddress mac = macOf(c.initiatorName(), ip);
        info("mac=%s LUN %d of %s attached by %s (%d blocks of %d bytes)", show(mac), lun, c.targetName(),
                    c.initiatorName(), blocks, blockSize);
        publisher.publish(new IscsiEvents.LunAttached(UUID.randomUUID(), Instant.now(), source, mac, ip,
                c.initiatorName(), c.targetName(), lun, blocks, blockSize));
    }

    @Override
    public void sessionEnded(Connection c, String reason) {
        Ipv4Address ip = ipOf(c);
        MacAddress mac = macOf(c.initiatorName(), ip);
        info("mac=%s session ended (%s): %s -> %s, %d bytes read, %d written, %d ms", show(mac), reason,
                    c.initiatorName(), c.targetName(), c.bytesRead(), c.bytesWritten(), c.durationMs());
        publisher.publish(new IscsiEvents.Logout(UUID.randomUUID(), Instant.now(), source, mac, ip, c.initiatorName(),
                c.targetName(), c.bytesRead(), c.bytesWritten(), c.durationMs(), reason));
    }

    @Override
    public void bytesRead(long n) {
        bytesRead.increment(n);
    }

    @Override
    public void bytesWritten(long n) {
        bytesWritten.increment(n);
    }

    @Override
    public void invalidPdu(Connection c, String reason) {
        invalidPdus.increment();
        warn("mac=%s invalid PDU from %s: %s", show(macOf(c.initiatorName(), ipOf(c))), c.who(), reason);
    }
}
