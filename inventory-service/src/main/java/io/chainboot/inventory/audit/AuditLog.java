package io.chainboot.inventory.audit;

import io.chainboot.inventory.auth.Caller;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The audit trail in PostgreSQL ({@code audit_entry}, Flyway V4): one row per write through the
 * entry point with a known caller, written when its answer is known ({@link AuditFilter}), and
 * read newest first, filtered and paged by id ({@code GET /api/audit}). A row is written after
 * the change it records, in its own statement: if PostgreSQL refuses it the write still stands,
 * the failure is logged with the whole entry and counted ({@code chainboot_inventory_audit_failed_total}).
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // its counters exist from the start, not from the first write
public class AuditLog {
    private static final Logger LOG = Logger.getLogger(AuditLog.class);
    public static final int MAX_LIMIT = 500;

    private final DataSource db;
    private final Counter recorded;
    private final Counter failed;
    private final Counter unauthorized;

    public AuditLog(DataSource db, MeterRegistry registry) {
        this.db = db;
        this.recorded = Counter.builder("chainboot.inventory.audit.recorded")
                .description("Writes through the entry point recorded in the audit trail").register(registry);
        this.failed = Counter.builder("chainboot.inventory.audit.failed")
                .description("Audit entries that could not be stored (the write itself stood; the entry is in the log)")
                .register(registry);
        this.unauthorized = Counter.builder("chainboot.inventory.api.unauthorized")
                .description("Writes refused with 401 (no, unknown or revoked token): not in the audit trail, which records callers")
                .register(registry);
    }

    /** A write refused 401: counted, not recorded (no caller to name). */
    public void unauthorized() {
        unauthorized.increment();
    }

    /** A filter of {@link #find}: every part optional; {@code before} is the id to page below. */
    public record Query(Optional<String> kind, Optional<String> id, Optional<String> by, Optional<Instant> since,
                        Optional<Long> before, int limit) {
    }

    public void record(Caller caller, String method, String path, AuditSubject subject, int status) {
        String outcome = AuditEntry.outcome(status);
        String p = path.length() > 2048 ? path.substring(0, 2048) : path;
        String id = subject.id() == null ? null : subject.id().length() > 256 ? subject.id().substring(0, 256) : subject.id();
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("insert into audit_entry (at, token_id, token_name, role, method, path,"
                     + " entity_kind, entity_id, status, outcome) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setTimestamp(1, Timestamp.from(Instant.now()));
            s.setString(2, caller.tokenId());
            s.setString(3, caller.name());
            s.setString(4, caller.role().wire());
            s.setString(5, method);
            s.setString(6, p);
            s.setString(7, subject.kind());
            s.setString(8, id);
            s.setInt(9, status);
            s.setString(10, outcome);
            s.executeUpdate();
            recorded.increment();
        } catch (SQLException | RuntimeException e) {
            failed.increment();
            LOG.errorf("audit entry not stored (%s): %s %s by %s (%s) on %s: %d %s", e.getMessage(), method, p, caller.who(),
                    caller.role().wire(), subject.label(), status, outcome);
        }
    }

    public List<AuditEntry> find(Query q) {
        StringBuilder sql = new StringBuilder("select id, at, token_id, token_name, role, method, path, entity_kind, entity_id,"
                + " status, outcome from audit_entry where true");
        List<Object> args = new ArrayList<>();
        q.kind().ifPresent(k -> { sql.append(" and entity_kind = ?"); args.add(k); });
        q.id().ifPresent(i -> { sql.append(" and entity_id = ?"); args.add(i); });
        q.by().ifPresent(b -> { sql.append(" and (token_id = ? or token_name = ?)"); args.add(b); args.add(b); });
        q.since().ifPresent(t -> { sql.append(" and at >= ?"); args.add(Timestamp.from(t)); });
        q.before().ifPresent(b -> { sql.append(" and id < ?"); args.add(b); });
        sql.append(" order by id desc limit ?");
        args.add(q.limit());
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                s.setObject(i + 1, args.get(i));
            }
            List<AuditEntry> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String kind = r.getString(8);
                    String id = r.getString(9);
                    out.add(new AuditEntry(r.getLong(1), r.getTimestamp(2).toInstant(), r.getString(3), r.getString(4),
                            r.getString(5), r.getString(6), r.getString(7), new AuditSubject(kind, id).label(), kind, id,
                            r.getInt(10), r.getString(11)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the audit trail: PostgreSQL: " + e.getMessage(), e);
        }
    }
}
