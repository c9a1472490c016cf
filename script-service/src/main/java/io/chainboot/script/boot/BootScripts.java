package io.chainboot.script.boot;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.common.CommonConfig;
import io.chainboot.common.MachineDirectory;
import io.chainboot.events.Decoded;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.ScriptEvents;
import io.chainboot.script.config.ScriptConfig;
import io.chainboot.script.profile.ProfileCatalog;
import io.chainboot.script.render.RenderContext;
import io.chainboot.script.render.RenderOutcome;
import io.chainboot.script.render.GrubRenderer;
import io.chainboot.script.render.ScriptRenderer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import io.chainboot.events.MachineSpec;
import io.chainboot.script.profile.Profile;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The request path of {@code /boot.ipxe} and of the preview: facts → machine → profile → script,
 * all in memory (no call to inventory). {@link #serve} publishes {@code script.rendered} or
 * {@code script.failed}; {@link #preview} publishes nothing.
 */
@ApplicationScoped
public class BootScripts {
    private static final Logger LOG = Logger.getLogger(BootScripts.class);

    private final MachineDirectory machines;
    private final ProfileCatalog profiles;
    private final BootEventPublisher publisher;
    private final EventSource source;
    private final ScriptConfig config;
    private final CommonConfig common;
    private static final int CACHE_LIMIT = 8192;

    private final ScriptRenderer renderer = new ScriptRenderer();
    private final GrubRenderer grub = new GrubRenderer(renderer);
    private final Map<RenderKey, RenderOutcome> scriptCache = new ConcurrentHashMap<>();
    private final Counter rendered;
    private final Counter failed;
    private final Counter badRequests;

    public BootScripts(MachineDirectory machines, ProfileCatalog profiles, BootEventPublisher publisher,
                       EventSource source, ScriptConfig config, CommonConfig common, MeterRegistry registry) {
        this.machines = machines;
        this.profiles = profiles;
        this.publisher = publisher;
        this.source = source;
        this.config = config;
        this.common = common;
        this.rendered = io.micrometer.core.instrument.Counter.builder("chainboot.script.rendered")
                .description("boot scripts rendered for /boot.ipxe").register(registry);
        this.failed = io.micrometer.core.instrument.Counter.builder("chainboot.script.failed")
                .description("/boot.ipxe answered with an error script (unknown profile, no disk, render failure...)").register(registry);
        this.badRequests = io.micrometer.core.instrument.Counter.builder("chainboot.script.bad.requests")
                .description("/boot.ipxe requests with a bad query (answered with an error script)").register(registry);
    }

    /** Renders for a booting machine and publishes the event; never throws. */
    public RenderOutcome serve(Function<String, String> query, String scheme, String host, String remoteIp) {
        long start = System.nanoTime();
        RenderContext ctx = context(scheme, host);
        Decoded<BootFacts> parsed = BootFacts.parse(query);
        Ipv4Address ip = ipv4(remoteIp);
        if (parsed instanceof Decoded.Invalid<BootFacts> bad) {
            badRequests.increment();
            failed.increment();
            MacAddress mac = null;
            LOG.warnf("bad /boot.ipxe request from %s: %s", remoteIp, bad.reason());
            publisher.publish(new ScriptEvents.Failed(eventId(), Instant.now(), source, mac, ip, null, bad.reason()));
            return renderer.failure(null, null, ctx, bad.reason());
        }
        BootFacts facts = parsed.orElseThrow();
        RenderOutcome out = render(facts, ctx);
        long micros = (System.nanoTime() - start) / 1000;
        if (out instanceof RenderOutcome.Failure f) {
            failed.increment();
            LOG.warnf("%s: no script (profile %s): %s", facts.mac(), f.profile(), f.reason());
            publisher.publish(new ScriptEvents.Failed(eventId(), Instant.now(), source, facts.mac(), ip, f.profile(), f.reason()));
        } else {
            rendered.increment();
            publisher.publish(new ScriptEvents.Rendered(eventId(), Instant.now(), source, facts.mac(), ip, out.profile(),
                    facts.uuid(), facts.arch(), facts.platform(), micros, ((RenderOutcome.Script) out).attachesSan()));
        }
        return out;
    }

    /**
     * The Secure Boot path's per-machine GRUB configuration (GRUB asks tftp-service for
     * {@code grub/grub.cfg-<mac>}, which asks here): the same choice of profile as {@code /boot.ipxe}, facts
     * {@code arch=x86_64}, {@code platform=efi} (Debian's signed grubnetx64); publishes {@code script.rendered}
     * or {@code script.failed} like a script. {@code clientIp} is the machine's address as tftp-service saw it.
     */
    public RenderOutcome serveGrub(MacAddress mac, String clientIp) {
        long start = System.nanoTime();
        RenderContext ctx = context("http", null);
        BootFacts facts = new BootFacts(mac, null, "x86_64", "efi", null, null, null, null);
        Ipv4Address ip = ipv4(clientIp);
        RenderOutcome out;
        try {
            ProfileChoice choice = choose(facts);
            out = choice.profile() == null
                    ? grub.failure(facts, choice.name(), ctx, "profile '" + choice.name() + "' (" + choice.reason() + ") does not exist")
                    : grub.render(choice.profile(), choice.spec(), facts, ctx, name -> profiles.current().get(name));
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s: GRUB configuration failed", mac);
            out = grub.failure(facts, null, ctx, "internal error: " + e);
        }
        long micros = (System.nanoTime() - start) / 1000;
        if (out instanceof RenderOutcome.Failure f) {
            failed.increment();
            LOG.warnf("%s: no GRUB configuration (profile %s): %s", mac, f.profile(), f.reason());
            publisher.publish(new ScriptEvents.Failed(eventId(), Instant.now(), source, mac, ip, f.profile(), f.reason()));
        } else {
            rendered.increment();
            publisher.publish(new ScriptEvents.Rendered(eventId(), Instant.now(), source, mac, ip, out.profile(),
                    null, facts.arch(), facts.platform(), micros, false));
        }
        return out;
    }

    /** The GRUB failure configuration for a request that names no machine or comes before the view is loaded. */
    public String grubRetry(MacAddress mac, String reason) {
        return grub.failure(mac == null ? null : BootFacts.ofMac(mac), null, context("http", null), reason).script();
    }

    /** Whether the machine view has read chainboot.machines to its end (no script is decided before). */
    public boolean machineViewLoaded() {
        return machines.loaded();
    }

    /** What {@code mac} would get, without booting anything: no event. */
    public RenderOutcome preview(BootFacts facts, String scheme, String host) {
        return render(facts, context(scheme, host));
    }

    public ProfileChoice choose(BootFacts facts) {
        return ProfileChoice.choose(facts, machines, profiles.current(), config.defaultProfile());
    }

    private RenderOutcome render(BootFacts facts, RenderContext ctx) {
        try {
            ProfileChoice choice = choose(facts);
            if (choice.profile() == null) {
                return renderer.failure(facts, choice.name(), ctx, "profile '" + choice.name() + "' ("
                        + choice.reason() + ") does not exist");
            }
            // A script depends only on these four values (rendering is pure), so an equal key is the same script.
            // A changed machine spec or reloaded profile is a different key; the map is bounded by clearing it.
            RenderKey key = new RenderKey(choice.profile(), choice.spec(), facts, ctx);
            RenderOutcome cached = scriptCache.get(key);
            if (cached != null) {
                return cached;
            }
            RenderOutcome out = renderer.render(choice.profile(), choice.spec(), facts, ctx);
            if (out instanceof RenderOutcome.Script) {
                if (scriptCache.size() >= CACHE_LIMIT) {
                    scriptCache.clear();
                }
                scriptCache.put(key, out);
            }
            return out;
        } catch (RuntimeException e) { // a bug must still give the console a reason, not a 500
            LOG.errorf(e, "%s: rendering failed", facts.mac());
            return renderer.failure(facts, null, ctx, "internal error: " + e);
        }
    }

    private record RenderKey(Profile profile, MachineSpec spec, BootFacts facts, RenderContext ctx) {
    }

    private RenderContext context(String scheme, String host) {
        return new RenderContext(BaseUrl.of(config.baseUrl(), scheme, host).orElse(null),
                iscsiServer(host), config.iscsiPort(),
                common.iqnPrefix(), common.clusterSecret().filter(s -> !s.isBlank()).orElse(null), config.retryDelay());
    }

    /** {@code iscsi-server-v6} for a request whose Host is an IPv6 literal ({@code [fd77::1]:8081}), else {@code iscsi-server}. */
    private String iscsiServer(String host) {
        Optional<String> v6 = config.iscsiServerV6().filter(s -> !s.isBlank());
        if (v6.isPresent() && host != null && host.startsWith("[")) {
            return v6.get();
        }
        return config.iscsiServer().filter(s -> !s.isBlank()).orElse(null);
    }

    /** A random (version 4) UUID from the thread's generator: no lock shared by every request. */
    static UUID eventId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(hi, lo);
    }

    static Ipv4Address ipv4(String text) {
        if (text == null || text.indexOf(':') >= 0) {
            return null;
        }
        try {
            return Ipv4Address.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
