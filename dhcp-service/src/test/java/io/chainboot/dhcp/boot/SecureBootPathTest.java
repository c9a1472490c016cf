package io.chainboot.dhcp.boot;

import io.chainboot.events.ClientKind;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The boot table's Secure Boot path: machines labelled {@code secure-boot: "true"} get the signed shim. */
class SecureBootPathTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:77:0f:04");
    final BootTable table = new BootTable(new BootSettings("http://10.9.0.1:8081/boot.ipxe", "10.9.0.1", "undionly.kpxe",
            "ipxe.efi", "ipxe-arm64.efi", Optional.of("http://10.9.0.1:8081/boot-files/"), "ipxe.efi", "ipxe-arm64.efi",
            "shimx64.efi"));

    static ClientInfo pxe(int arch) {
        return new ClientInfo(ClientKind.FIRMWARE, Optional.of(arch), Optional.of("PXEClient:Arch:0000" + arch + ":UNDI:003016"),
                false, Optional.empty(), true, Optional.of(MAC));
    }

    static ClientInfo http(int arch) {
        return new ClientInfo(ClientKind.FIRMWARE, Optional.of(arch), Optional.of("HTTPClient:Arch:000" + arch + ":UNDI:003001"),
                true, Optional.empty(), true, Optional.of(MAC));
    }

    static Optional<MachineSpec> spec(Map<String, String> labels, String bootFile) {
        return Optional.of(new MachineSpec(MAC, null, "sb", null, "linux", labels, Map.of(), null, null, true, bootFile,
                Instant.EPOCH));
    }

    @Test
    void x64UefiPxeOfALabelledMachineGetsTheShimOverTftp() {
        for (int arch : new int[]{7, 9}) {
            assertThat(table.choose(pxe(arch), spec(Map.of("secure-boot", "true"), null)))
                    .isEqualTo(new BootChoice.Boot("shimx64.efi", "10.9.0.1", false));
        }
        assertThat(table.choose(pxe(7), spec(Map.of("secure-boot", "TRUE"), null)))
                .isEqualTo(new BootChoice.Boot("shimx64.efi", "10.9.0.1", false));
    }

    @Test
    void withoutTheLabelOrWithAnotherValueTheMachineGetsIpxe() {
        assertThat(table.choose(pxe(7), spec(Map.of(), null))).isEqualTo(new BootChoice.Boot("ipxe.efi", "10.9.0.1", false));
        assertThat(table.choose(pxe(7), spec(Map.of("secure-boot", "false"), null)))
                .isEqualTo(new BootChoice.Boot("ipxe.efi", "10.9.0.1", false));
        assertThat(table.choose(pxe(7), Optional.empty())).isEqualTo(new BootChoice.Boot("ipxe.efi", "10.9.0.1", false));
    }

    @Test
    void biosHasNoSecureBootAndArm64HasNoShimConfigured() {
        assertThat(table.choose(pxe(0), spec(Map.of("secure-boot", "true"), null)))
                .isEqualTo(new BootChoice.Boot("undionly.kpxe", "10.9.0.1", false));
        assertThat(table.choose(pxe(11), spec(Map.of("secure-boot", "true"), null)))
                .isEqualTo(new BootChoice.None("no Secure Boot loader for client architecture 11"));
    }

    @Test
    void anHttpBootClientOnTheSecureBootPathGetsNothingBecauseGrubReadsOnlyTftp() {
        assertThat(table.choose(http(16), spec(Map.of("secure-boot", "true"), null))).isInstanceOf(BootChoice.None.class)
                .extracting(c -> ((BootChoice.None) c).reason()).asString().contains("needs PXE over TFTP");
        assertThat(table.choose(http(16), spec(Map.of(), null))).isInstanceOf(BootChoice.Boot.class);
    }

    @Test
    void aMachinesOwnBootFileStillWins() {
        assertThat(table.choose(pxe(7), spec(Map.of("secure-boot", "true"), "signed/ipxe.efi")))
                .isEqualTo(new BootChoice.Boot("signed/ipxe.efi", "10.9.0.1", false));
    }

    @Test
    void iPxeStillGetsItsScript() {
        ClientInfo ipxe = new ClientInfo(ClientKind.IPXE, Optional.of(7), Optional.empty(), false, Optional.empty(), true,
                Optional.of(MAC));
        assertThat(table.choose(ipxe, spec(Map.of("secure-boot", "true"), null))).isInstanceOf(BootChoice.Boot.class)
                .extracting(c -> ((BootChoice.Boot) c).file()).asString().startsWith("http://10.9.0.1:8081/boot.ipxe?");
    }
}
