package io.chainboot.infra;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The real servers start, answer on their ports, and do not outlive their owner. */
class InfraProcessesTest {

    @Test
    void kafkaAndPostgresStartAndStop() {
        KafkaBroker kafka = KafkaBroker.shared();
        PostgresServer pg = PostgresServer.shared();
        assertThat(Ports.isOpen("127.0.0.1", kafka.port())).isTrue();
        assertThat(Ports.isOpen("127.0.0.1", pg.port())).isTrue();
        assertThat(pg.serverPid()).isPositive();
        assertThat(pg.password()).hasSizeGreaterThan(20);
    }

    @Test
    void watchedChildDiesWhenItsPipeCloses() throws Exception {
        Path dir = Files.createTempDirectory("watch");
        ChildProcess child = ChildProcess.startWatched("sleeper", List.of("sleep", "300"), "TERM", Map.of(), dir,
                dir.resolve("sleeper.log"));
        long sleeperPid = awaitDescendant(child);
        assertThat(ProcessHandle.of(sleeperPid)).isPresent();
        // closing our end of its stdin is what a dying parent does
        child.process().getOutputStream().close();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ProcessHandle.of(sleeperPid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(ProcessHandle.of(sleeperPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(child.process().waitFor(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }

    private static long awaitDescendant(ChildProcess child) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            var sleeper = child.process().descendants().filter(p -> p.info().command().orElse("").endsWith("sleep")).findFirst();
            if (sleeper.isPresent()) {
                return sleeper.get().pid();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("sleep never started");
    }
}
