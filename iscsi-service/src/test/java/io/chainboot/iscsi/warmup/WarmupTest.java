package io.chainboot.iscsi.warmup;

import io.chainboot.events.Names;
import io.chainboot.iscsi.login.Negotiator;
import io.chainboot.iscsi.session.Connection;
import io.chainboot.iscsi.session.SessionListener;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** The warm-up's sequences succeed against the real target code (a failure would only show as a colder start). */
class WarmupTest {
    @Test
    void everyRoundSucceeds() {
        ExecutorService io = Executors.newFixedThreadPool(2);
        try {
            Connection.Settings settings = new Connection.Settings(
                    new Negotiator.Limits(262144, 16776192, 16776192, 16, false, true, true), 128, 64 << 20, null, 3260);
            Warmup.Report r = Warmup.run(Names.DEFAULT_IQN_PREFIX, io, settings, SessionListener.NONE, 2);
            assertThat(r.failure()).isNull();
            assertThat(r.rounds()).isEqualTo(2);
        } finally {
            io.shutdownNow();
        }
    }
}
