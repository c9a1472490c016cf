package io.chainboot.infra;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaClusterIdTest {
    /** With one id in 64 starting with '-' before the fix, 5,000 draws would all pass by chance with p ≈ 10^-34. */
    @Test
    void clusterIdsAreDistinctUrlSafeAndNeverLookLikeAnOption() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            String id = KafkaBroker.clusterId();
            assertThat(id).hasSize(22).matches("[A-Za-z0-9_-]+").doesNotStartWith("-");
            seen.add(id);
        }
        assertThat(seen).hasSize(5_000);
    }
}
