package io.chainboot.inventory.machines;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * DOWN until the machine specs that existed when inventory started (the machines file, applied
 * before this service starts serving, among them) are published on chainboot.machines. The
 * launcher starts dhcp, script and iscsi only after inventory is ready when a machines file
 * exists, so their views hold the declared machines before they decide any boot.
 */
@ApplicationScoped
@Readiness
public class MachinesPublishedReadiness implements HealthCheck {
    private final OutboxRelay relay;

    public MachinesPublishedReadiness(OutboxRelay relay) {
        this.relay = relay;
    }

    @Override
    public HealthCheckResponse call() {
        boolean done = relay.startupPublished();
        return HealthCheckResponse.named("machines-published").status(done)
                .withData("state", done ? "machine specs present at start are on Kafka" : "publishing machine specs")
                .build();
    }
}
