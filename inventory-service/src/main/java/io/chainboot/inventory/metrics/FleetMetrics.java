package io.chainboot.inventory.metrics;

import io.chainboot.events.BootStage;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet's metrics, read from PostgreSQL when Prometheus scrapes (two aggregate queries), so
 * they are the same on every inventory replica and survive restarts:
 * <ul>
 *   <li>{@code chainboot_inventory_boot_duration_seconds{profile}} — a histogram of the time from
 *   the first DHCP of an attempt to OS_RUNNING, over every attempt that got there, per profile;</li>
 *   <li>{@code chainboot_inventory_machines{stage}} — how many machines are at each stage now (the
 *   stage of their latest attempt; {@code NONE} for machines never seen booting).</li>
 * </ul>
 * Being fleet-wide, they must not be summed over replicas (take one, or {@code max}). A scrape
 * while PostgreSQL is down answers without them (logged once per outage).
 */
@ApplicationScoped
public class FleetMetrics {
    private static final Logger LOG = Logger.getLogger(FleetMetrics.class);
    /** Bucket upper bounds in seconds: a PXE boot to a running OS takes from seconds to minutes. */
    static final double[] BUCKETS = {5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600};

    private final DataSource db;
    private volatile boolean failing;

    public FleetMetrics(DataSource db) {
        this.db = db;
    }

    void register(@Observes StartupEvent start, Instance<PrometheusMeterRegistry> prometheus) {
        if (prometheus.isResolvable()) {
            new Collector() {
                @Override
                public List<MetricFamilySamples> collect() {
                    return FleetMetrics.this.collect();
                }
            }.register(prometheus.get().getPrometheusRegistry());
        }
    }

    /** One profile's row: cumulative counts per bucket (same order as {@link #BUCKETS}), count, sum in ms. */
    record Durations(String profile, long[] cumulative, long count, double sumMillis) {
    }

    List<Collector.MetricFamilySamples> collect() {
        try (Connection c = db.getConnection()) {
            List<Durations> durations = durations(c);
            Map<String, Long> stages = stages(c);
            if (failing) {
                LOG.info("fleet metrics readable again");
                failing = false;
            }
            return List.of(histogram(durations), gauge(stages));
        } catch (SQLException | RuntimeException e) {
            if (!failing) {
                LOG.warnf("fleet metrics left out of this scrape: PostgreSQL: %s", e.getMessage());
                failing = true;
            }
            return List.of();
        }
    }

    private static List<Durations> durations(Connection c) throws SQLException {
        StringBuilder sql = new StringBuilder("select coalesce(profile, '(none)')");
        for (double b : BUCKETS) {
            sql.append(", count(*) filter (where boot_millis <= ").append((long) (b * 1000)).append(')');
        }
        sql.append(", count(*), coalesce(sum(boot_millis), 0) from boot_attempt where boot_millis is not null group by 1 order by 1");
        List<Durations> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql.toString()); ResultSet r = s.executeQuery()) {
            while (r.next()) {
                long[] cumulative = new long[BUCKETS.length];
                for (int i = 0; i < BUCKETS.length; i++) {
                    cumulative[i] = r.getLong(2 + i);
                }
                out.add(new Durations(r.getString(1), cumulative, r.getLong(2 + BUCKETS.length), r.getDouble(3 + BUCKETS.length)));
            }
        }
        return out;
    }

    private static Map<String, Long> stages(Connection c) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (BootStage s : BootStage.values()) {
            out.put(s.name(), 0L);
        }
        out.put("NONE", 0L);
        try (PreparedStatement s = c.prepareStatement("select coalesce(a.stage, 'NONE'), count(*) from machine m"
                + " left join boot_attempt a on a.mac = m.mac and a.latest group by 1");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                out.put(r.getString(1), r.getLong(2));
            }
        }
        return out;
    }

    /** Prometheus histogram samples (classic buckets, {@code le} in seconds, +Inf = count). Pure. */
    static Collector.MetricFamilySamples histogram(List<Durations> rows) {
        String name = "chainboot_inventory_boot_duration_seconds";
        List<Collector.MetricFamilySamples.Sample> samples = new ArrayList<>();
        for (Durations d : rows) {
            for (int i = 0; i < BUCKETS.length; i++) {
                samples.add(new Collector.MetricFamilySamples.Sample(name + "_bucket", List.of("profile", "le"),
                        List.of(d.profile(), Collector.doubleToGoString(BUCKETS[i])), d.cumulative()[i]));
            }
            samples.add(new Collector.MetricFamilySamples.Sample(name + "_bucket", List.of("profile", "le"),
                    List.of(d.profile(), "+Inf"), d.count()));
            samples.add(new Collector.MetricFamilySamples.Sample(name + "_count", List.of("profile"), List.of(d.profile()), d.count()));
            samples.add(new Collector.MetricFamilySamples.Sample(name + "_sum", List.of("profile"), List.of(d.profile()),
                    d.sumMillis() / 1000.0));
        }
        return new Collector.MetricFamilySamples(name, Collector.Type.HISTOGRAM,
                "Time from an attempt's first DHCP to OS_RUNNING, per profile, over every attempt stored (fleet-wide, from PostgreSQL)",
                samples);
    }

    /** One gauge sample per stage. Pure. */
    static Collector.MetricFamilySamples gauge(Map<String, Long> stages) {
        String name = "chainboot_inventory_machines";
        List<Collector.MetricFamilySamples.Sample> samples = new ArrayList<>();
        stages.forEach((stage, n) -> samples.add(new Collector.MetricFamilySamples.Sample(name, List.of("stage"), List.of(stage), n)));
        return new Collector.MetricFamilySamples(name, Collector.Type.GAUGE,
                "Machines per stage of their latest boot attempt (NONE: never seen booting); fleet-wide, from PostgreSQL", samples);
    }
}
