package io.chainboot.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** SAM LUN decoding: peripheral on bus 0, flat space, and addressings that name no unit. */
class LunAddressTest {
    @Test
    void peripheralAndFlatSpaceAddressing() {
        assertThat(LunAddress.index(0L)).isZero();
        assertThat(LunAddress.index(0x0003_0000_0000_0000L)).as("peripheral, bus 0, LUN 3").isEqualTo(3);
        assertThat(LunAddress.index(0x4001_0000_0000_0000L)).as("flat space LUN 1").isEqualTo(1);
        assertThat(LunAddress.index(0x7fff_0000_0000_0000L)).as("flat space, highest").isEqualTo(0x3fff);
    }

    @Test
    void otherBusesAndAddressingMethodsNameNoUnit() {
        assertThat(LunAddress.index(0x0100_0000_0000_0000L)).as("peripheral, bus 1").isEqualTo(LunAddress.NONE);
        assertThat(LunAddress.index(0x8000_0000_0000_0000L)).as("logical unit addressing").isEqualTo(LunAddress.NONE);
        assertThat(LunAddress.index(0xc000_0000_0000_0000L)).as("extended addressing").isEqualTo(LunAddress.NONE);
    }
}
