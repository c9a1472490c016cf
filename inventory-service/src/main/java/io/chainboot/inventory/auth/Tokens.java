package io.chainboot.inventory.auth;

import io.chainboot.common.api.InternalApiGuard;
import io.chainboot.inventory.config.InventoryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * API tokens: created with a role, listed (never their secret), revoked; a presented token is
 * found by its SHA-256. The bootstrap token ({@code chainboot.inventory.api-token}, the launcher's
 * {@code state/api-token}) is always admin and is checked in memory first, so it works while
 * PostgreSQL is down. A token is {@code cbt_} + 32 random bytes (base64url): guessing one is
 * out of reach, so a hash without salt is enough to keep the table useless to a reader.
 */
@ApplicationScoped
public class Tokens {
    private static final Logger LOG = Logger.getLogger(Tokens.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._@-]{0,99}");

    private final DataSource db;
    private final InventoryConfig config;

    public Tokens(DataSource db, InventoryConfig config) {
        this.db = db;
        this.config = config;
    }

    /** A token as listed: no secret. */
    public record TokenView(String id, String name, String role, Instant createdAt, String createdBy,
                            Instant revokedAt, String revokedBy) {
    }

    /** A token just created: the only time its secret is shown. */
    public record Created(String id, String name, String role, Instant createdAt, String createdBy, String token) {
    }

    /** The caller a presented token stands for; empty for an unknown or revoked token. */
    public Optional<Caller> resolve(String presented) {
        Optional<String> bootstrap = config.apiToken().filter(t -> !t.isBlank());
        if (bootstrap.isPresent() && InternalApiGuard.constantTimeEquals(presented, bootstrap.get())) {
            return Optional.of(Caller.BOOTSTRAP);
        }
        if (!presented.startsWith("cbt_")) {
            return Optional.empty();
        }
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("select id, name, role from api_token where secret_sha256 = ? and revoked_at is null")) {
            s.setString(1, sha256(presented));
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(new Caller(r.getString(1), r.getString(2), Role.parse(r.getString(3))))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot check the token: PostgreSQL: " + e.getMessage(), e);
        }
    }

    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("must be 1-100 letters, digits, spaces, '.', '_', '@', '-', starting with a letter or digit");
        }
        return name;
    }

    public Created create(String name, Role role, Caller by) {
        checkName(name);
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = "cbt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        byte[] idBytes = new byte[8];
        RANDOM.nextBytes(idBytes);
        String id = "tok_" + HexFormat.of().formatHex(idBytes);
        Instant now = Instant.now();
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("insert into api_token (id, name, role, secret_sha256, created_at, created_by)"
                     + " values (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, name);
            s.setString(3, role.wire());
            s.setString(4, sha256(token));
            s.setTimestamp(5, Timestamp.from(now));
            s.setString(6, by.who());
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store the token: PostgreSQL: " + e.getMessage(), e);
        }
        LOG.infof("token %s '%s' (%s) created by %s", id, name, role.wire(), by.who());
        return new Created(id, name, role.wire(), now, by.who(), token);
    }

    public List<TokenView> list() {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("select id, name, role, created_at, created_by, revoked_at, revoked_by"
                     + " from api_token order by created_at, id");
             ResultSet r = s.executeQuery()) {
            List<TokenView> out = new ArrayList<>();
            while (r.next()) {
                Timestamp revoked = r.getTimestamp(6);
                out.add(new TokenView(r.getString(1), r.getString(2), r.getString(3), r.getTimestamp(4).toInstant(),
                        r.getString(5), revoked == null ? null : revoked.toInstant(), r.getString(7)));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list tokens: PostgreSQL: " + e.getMessage(), e);
        }
    }

    /** Revokes a token; false if there is no such token. Revoking twice keeps the first revocation. */
    public boolean revoke(String id, Caller by) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("update api_token set revoked_at = coalesce(revoked_at, ?),"
                     + " revoked_by = coalesce(revoked_by, ?) where id = ?")) {
            s.setTimestamp(1, Timestamp.from(Instant.now()));
            s.setString(2, by.who());
            s.setString(3, id);
            boolean found = s.executeUpdate() == 1;
            if (found) {
                LOG.infof("token %s revoked by %s", id, by.who());
            }
            return found;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot revoke the token: PostgreSQL: " + e.getMessage(), e);
        }
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
