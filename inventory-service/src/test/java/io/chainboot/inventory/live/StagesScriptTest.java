package io.chainboot.inventory.live;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard's stage names are BootStage's, in chain order, terminal states last. */
class StagesScriptTest {
    @Test
    void theWholeScript() {
        assertThat(new StagesScript().script()).isEqualTo("""
                // generated from io.chainboot.events.BootStage
                const STAGES = ['PXE_DHCP', 'FIRMWARE_LOADED', 'IPXE_DHCP', 'SCRIPT', 'SAN_ATTACHED', 'OS_RUNNING'];
                const ALL = STAGES.concat(['FAILED', 'STALLED']);
                """);
    }
}
