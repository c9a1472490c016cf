package io.chainboot.common;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The protocol listeners of a service (UDP 67, TCP 3260…) and whether each is bound. Readiness is
 * DOWN until every registered listener is bound, and names the one that failed and why.
 */
@ApplicationScoped
@Default // also injectable without the @Readiness qualifier
@Readiness
public class Listeners implements HealthCheck {
    private final Map<String, String> state = new ConcurrentHashMap<>();
    private final Map<String, Boolean> up = new ConcurrentHashMap<>();

    /** Declare a listener before binding it, so readiness waits for it. */
    public void expect(String name) {
        state.putIfAbsent(name, "binding");
        up.putIfAbsent(name, false);
    }

    public void bound(String name, String address) {
        state.put(name, "bound " + address);
        up.put(name, true);
    }

    public void failed(String name, String reason) {
        state.put(name, "failed: " + reason);
        up.put(name, false);
    }

    public boolean allBound() {
        return up.values().stream().allMatch(Boolean::booleanValue);
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("listeners").status(allBound());
        state.forEach(b::withData);
        return b.build();
    }
}
