package io.chainboot.infra.testing;

import io.chainboot.infra.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Quarkus test resource: a real PostgreSQL server (shared by the module's test classes) and the
 * {@code quarkus.datasource.*} settings for it. Use {@code @WithTestResource(PostgresResource.class)}.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        PostgresServer pg = PostgresServer.shared();
        return Map.of("quarkus.datasource.jdbc.url", pg.jdbcUrl(),
                "quarkus.datasource.username", pg.username(),
                "quarkus.datasource.password", pg.password());
    }

    @Override
    public void stop() {
        // shared; stopped by a shutdown hook when the test JVM exits
    }
}
