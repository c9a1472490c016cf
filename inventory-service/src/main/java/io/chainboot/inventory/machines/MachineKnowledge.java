package io.chainboot.inventory.machines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainboot.inventory.config.InventoryConfig;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * I/O for {@link MachineChecks}: the profile names script-service has loaded ({@code GET /api/profiles}),
 * the golden images iscsi-service holds ({@code GET /api/images}), the configured subnet
 * ({@code chainboot.inventory.subnet}) and the reserved addresses in the machine table. A service
 * that does not answer in 5 s gives {@code Optional.empty()} for its part.
 */
@ApplicationScoped
public class MachineKnowledge {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final InventoryConfig config;
    private final DataSource db;

    public MachineKnowledge(InventoryConfig config, DataSource db) {
        this.config = config;
        this.db = db;
    }

    public MachineChecks.Known now() {
        return new MachineChecks.Known(profiles(), images(), config.subnet().map(MachineChecks.Subnet::parse), reserved());
    }

    public Optional<Set<String>> profiles() {
        return get(config.upstream().scriptUrl(), "/api/profiles").map(n -> names(n.path("profiles")));
    }

    public Optional<Set<String>> images() {
        return get(config.upstream().iscsiUrl(), "/api/images").map(MachineKnowledge::names);
    }

    private static Set<String> names(JsonNode array) {
        Set<String> out = new HashSet<>();
        array.forEach(e -> out.add(e.path("name").asText()));
        return out;
    }

    private Optional<JsonNode> get(String base, String path) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base.replaceAll("/$", "") + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofByteArray());
            return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Reserved IP → MAC of every machine that has one. */
    public Map<String, String> reserved() {
        Map<String, String> out = new HashMap<>();
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("select mac, spec::jsonb ->> 'reservedIp' from machine"
                     + " where spec::jsonb ->> 'reservedIp' is not null");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                out.put(r.getString(2), r.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read reserved addresses: " + e.getMessage(), e);
        }
        return out;
    }
}
