package io.chainboot.common;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready means ready: a service that decides boots ({@link CommonConfig#decidesBoots()}) is DOWN
 * until its machine view has read chainboot.machines to the end, so {@code ./chainboot up} and
 * compose health checks never report it ready while it would still give a declared machine the
 * default profile. Other services report UP ("not used").
 */
@ApplicationScoped
@Readiness
public class MachineViewReadiness implements HealthCheck {
    private final boolean decidesBoots;
    private final Instance<MachineDirectory> machines;

    public MachineViewReadiness(CommonConfig config, Instance<MachineDirectory> machines) {
        this.decidesBoots = config.decidesBoots();
        this.machines = machines;
    }

    @Override
    public HealthCheckResponse call() {
        if (!decidesBoots) {
            return HealthCheckResponse.named("machine-view").up().withData("state", "not used").build();
        }
        MachineDirectory m = machines.get();
        boolean loaded = m.loaded();
        return HealthCheckResponse.named("machine-view").status(loaded)
                .withData("state", loaded ? "loaded: " + m.all().size() + " machines" : "reading chainboot.machines")
                .build();
    }
}
