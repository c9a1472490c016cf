package io.chainboot.deploy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The Jandex walk names keys the way SmallRye Config does, so the compose check can fail for the right reasons. */
class ConfigKeysTest {

    @ConfigMapping(prefix = "chainboot.fixture")
    interface Fixture {
        @WithDefault("67")
        int port();

        @WithName("interface")
        Optional<String> interfaceName();

        OptionalInt maxBlksize();

        Pool pool();

        Optional<Tls> tls();

        Map<String, Target> targets();

        @WithParentName
        Shared shared();

        List<String> dnsServers();

        Duration offerHold();

        default String notAKey() {
            return "";
        }

        interface Pool {
            Optional<String> subnetMask();
        }

        interface Tls {
            String keyFile();
        }

        interface Target {
            String image();
        }

        interface Shared {
            boolean dieWithParent();
        }
    }

    @Test
    void walksAMappingLikeSmallRye() {
        ConfigKeys keys = ConfigKeys.ofClasses(Path.of("target/test-classes"));
        assertThat(keys.prefixes()).contains("chainboot.fixture");
        Set<String> k = keys.keys();
        assertThat(k).contains("chainboot.fixture.port", "chainboot.fixture.interface", "chainboot.fixture.max-blksize",
                "chainboot.fixture.pool.subnet-mask", "chainboot.fixture.tls.key-file", "chainboot.fixture.targets.*.image",
                "chainboot.fixture.die-with-parent", "chainboot.fixture.dns-servers", "chainboot.fixture.offer-hold");
        assertThat(k).doesNotContain("chainboot.fixture.interface-name", "chainboot.fixture.not-a-key", "chainboot.fixture.shared",
                "chainboot.fixture.pool", "chainboot.fixture.tls");
        assertThat(ConfigKeys.envMatches("CHAINBOOT_FIXTURE_INTERFACE", k)).isTrue();
        assertThat(ConfigKeys.envMatches("CHAINBOOT_FIXTURE_INTERFACE_NAME", k)).isFalse();
        assertThat(ConfigKeys.envMatches("CHAINBOOT_FIXTURE_TARGETS_DISK0_IMAGE", k)).isTrue();
        assertThat(ConfigKeys.keyMatches("chainboot.fixture.targets.disk0.image", k)).isTrue();
        assertThat(ConfigKeys.keyMatches("chainboot.fixture.pool.start", k)).isFalse();
    }
}
