package io.chainboot.inventory.leader;

import io.chainboot.common.testing.Eventually;
import io.chainboot.infra.Ports;
import io.chainboot.infra.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Two instances' worth of contenders for the leader lock, on the real PostgreSQL, each on its own connection. */
class AdvisoryLockTest {
    static PostgresServer PG;

    @BeforeAll
    static void postgres() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "test-infra", "advisory-" + ProcessHandle.current().pid()));
        PG = new PostgresServer(dir, Ports.free(), false).start(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (PG != null) {
            PG.close();
        }
    }

    static AdvisoryLock contender(long key) {
        return new AdvisoryLock(() -> DriverManager.getConnection(PG.jdbcUrl(), PG.username(), PG.password()), key);
    }

    @Test
    void exactlyOneOfTwoContendersLeadsAndTheOtherTakesOverWhenItGoes() throws Exception {
        long key = 900_001;
        try (AdvisoryLock a = contender(key); AdvisoryLock b = contender(key)) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                // the two instances' schedules, racing each round: exactly one runs the singletons
                for (int round = 0; round < 20; round++) {
                    Future<Boolean> fa = pool.submit((Callable<Boolean>) a::holdOrTry);
                    Future<Boolean> fb = pool.submit((Callable<Boolean>) b::holdOrTry);
                    assertThat(fa.get() ^ fb.get()).as("round %d: exactly one leader", round).isTrue();
                }
            } finally {
                pool.shutdownNow();
            }
            AdvisoryLock leader = a.held() ? a : b;
            AdvisoryLock other = leader == a ? b : a;
            assertThat(other.holdOrTry()).isFalse();
            leader.close(); // the leader stops (its session ends)
            assertThat(other.holdOrTry()).isTrue();
            assertThat(leader.holdOrTry()).isFalse();
        }
    }

    @Test
    void aLeaderWhoseSessionDiesLosesTheLock() throws Exception {
        long key = 900_002;
        try (AdvisoryLock a = contender(key); AdvisoryLock b = contender(key)) {
            assertThat(a.holdOrTry()).isTrue();
            assertThat(b.holdOrTry()).isFalse();
            // PostgreSQL ends a's session (as a restart or a network cut would)
            try (Connection c = DriverManager.getConnection(PG.jdbcUrl(), PG.username(), PG.password());
                 PreparedStatement s = c.prepareStatement("select pg_terminate_backend(pid) from pg_locks "
                         + "where locktype = 'advisory' and objid::bigint = ? and granted")) {
                s.setLong(1, key);
                try (ResultSet rs = s.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
            }
            Eventually.until(b::holdOrTry, "the other contender takes the lock", Duration.ofSeconds(10));
            assertThat(a.holdOrTry()).isFalse();
            assertThat(a.held()).isFalse();
        }
    }

    @Test
    void differentKeysDoNotContend() {
        try (AdvisoryLock a = contender(900_003); AdvisoryLock b = contender(900_004)) {
            assertThat(a.holdOrTry()).isTrue();
            assertThat(b.holdOrTry()).isTrue();
        }
    }
}
