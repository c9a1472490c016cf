package io.chainboot.script.render;

import io.chainboot.events.DiskKind;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.script.boot.BootFacts;
import io.chainboot.script.profile.Profile;
import io.chainboot.script.profile.ProfileParser;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole GRUB configurations of the Secure Boot path, one per profile kind. */
class GrubRendererTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");
    static final RenderContext CTX = new RenderContext("http://10.0.0.1:8081", "10.0.0.1", 3260, "iqn.2026-01.io.chainboot",
            "cluster-secret-for-tests", 10);
    static final BootFacts FACTS = new BootFacts(MAC, null, "x86_64", "efi", null, null, null, null);
    static final MachineSpec SPEC = new MachineSpec(MAC, null, "sb01", null, null, Map.of("secure-boot", "true"), Map.of(),
            new MachineSpec.DiskAssignment(DiskKind.RAW, "sb01.img", null), null, true, null, Instant.EPOCH);
    final GrubRenderer grub = new GrubRenderer(new ScriptRenderer());

    static Profile profile(String yaml) {
        return ProfileParser.parse(yaml, "test").orElseThrow();
    }

    RenderOutcome render(Profile p, Function<String, Optional<Profile>> others) {
        return grub.render(p, SPEC, FACTS, CTX, others);
    }

    static final String FAILED_TAIL = "echo 'Retrying in 10 seconds'\nsleep 10\nconfigfile /grub/grub.cfg-52:54:00:12:34:56\n";

    @Test
    void theStubMakesGrubAskForItsOwnMachinesFile() {
        assertThat(GrubRenderer.stub()).isEqualTo(
                "# Chainboot: GRUB asks for this machine's own configuration (rendered by script-service)\n"
                        + "configfile /grub/grub.cfg-${net_default_mac}\n");
        assertThat(GrubRenderer.machineFile(MAC)).isEqualTo("grub/grub.cfg-52:54:00:12:34:56");
    }

    @Test
    void linuxLoadsKernelAndInitrdsOverTftpWithTheRenderedCmdlineQuoted() {
        Profile p = profile("""
                name: di
                kind: linux
                params:
                  kernel: debian-installer-12/linux
                  initrd: /debian-installer-12/initrd.gz, extra/fw.cpio
                  cmdline: "console=ttyS0,115200 hostname={hostname} priority=low"
                """);
        RenderOutcome out = render(p, n -> Optional.empty());
        assertThat(out).isInstanceOf(RenderOutcome.Script.class);
        assertThat(out.script()).isEqualTo("# Chainboot profile di for 52:54:00:12:34:56 (GRUB)\n"
                + "echo 'Chainboot: di: loading the kernel'\n"
                + "linux /debian-installer-12/linux 'console=ttyS0,115200' 'hostname=sb01' 'priority=low'\n"
                + "echo 'Chainboot: di: loading the initrd'\n"
                + "initrd /debian-installer-12/initrd.gz /extra/fw.cpio\n"
                + "boot\n");
        assertThat(((RenderOutcome.Script) out).attachesSan()).isFalse();
    }

    @Test
    void aKernelUrlCannotBeReadByGrubAndSaysSo() {
        Profile p = profile("name: web\nkind: linux\nparams:\n  kernel: http://mirror/linux\n");
        RenderOutcome out = render(p, n -> Optional.empty());
        assertThat(out).isInstanceOf(RenderOutcome.Failure.class);
        assertThat(((RenderOutcome.Failure) out).reason()).isEqualTo("profile web: params.kernel is a URL, and GRUB on the"
                + " Secure Boot path reads only TFTP: give a path in the TFTP root");
        assertThat(out.script()).isEqualTo("# Chainboot could not prepare a GRUB configuration for 52:54:00:12:34:56\n"
                + "echo 'Chainboot could not prepare a boot configuration for 52:54:00:12:34:56:'\n"
                + "echo 'profile web: params.kernel is a URL, and GRUB on the Secure Boot path reads only TFTP: give a path in the TFTP root'\n"
                + FAILED_TAIL);
    }

    @Test
    void pathsThatGrubWouldExpandOrSplitAreRefused() {
        for (String bad : new String[]{"a;reboot", "$prefix/x", "a/../../b", "x{y}"}) {
            Profile p = profile("name: odd\nkind: linux\nparams:\n  kernel: \"" + bad + "\"\n");
            assertThat(render(p, n -> Optional.empty())).as(bad).isInstanceOf(RenderOutcome.Failure.class);
        }
        Profile quote = profile("name: q\nkind: linux\nparams:\n  kernel: k\n  cmdline: \"a='b'\"\n");
        assertThat(((RenderOutcome.Failure) render(quote, n -> Optional.empty())).reason()).contains("cannot hold a ' character");
    }

    @Test
    void sanbootAndWindowsCannotBootUnderSecureBootAndSayWhy() {
        RenderOutcome out = render(profile("name: sanboot\nkind: sanboot\n"), n -> Optional.empty());
        assertThat(((RenderOutcome.Failure) out).reason()).isEqualTo("profile sanboot (sanboot) cannot boot under Secure Boot:"
                + " GRUB has no iSCSI client (use a linux profile whose initramfs logs in, or chain a signed iPXE)");
        assertThat(out.script()).endsWith(FAILED_TAIL);
        assertThat(render(profile("name: w\nkind: install-windows\n"), n -> Optional.empty()))
                .isInstanceOf(RenderOutcome.Failure.class);
        Profile hook = profile("name: h\nkind: linux\nparams:\n  kernel: k\n  sanhook: \"true\"\n");
        assertThat(((RenderOutcome.Failure) render(hook, n -> Optional.empty())).reason()).contains("sanhook needs iPXE");
    }

    @Test
    void chainLoadsASignedEfiBinaryOverTftpAndLocalExits() {
        assertThat(render(profile("name: signed\nkind: chain\nparams:\n  url: signed/ipxe.efi\n"), n -> Optional.empty())
                .script()).isEqualTo("# Chainboot profile signed for 52:54:00:12:34:56 (GRUB)\nchainloader /signed/ipxe.efi\nboot\n");
        assertThat(render(profile("name: xyz\nkind: chain\nparams:\n  url: https://boot.netboot.xyz\n"), n -> Optional.empty()))
                .isInstanceOf(RenderOutcome.Failure.class);
        assertThat(render(profile("name: local\nkind: local\n"), n -> Optional.empty()).script()).isEqualTo(
                "# Chainboot profile local for 52:54:00:12:34:56 (GRUB)\necho 'Chainboot: local: booting from the local disk'\nexit\n");
    }

    @Test
    void aMenuOffersTheItemsGrubCanBootAndNamesTheOthers() {
        Map<String, Profile> all = Map.of(
                "di", profile("name: di\nkind: linux\nparams:\n  kernel: d/linux\n"),
                "local", profile("name: local\nkind: local\n"),
                "sanboot", profile("name: sanboot\nkind: sanboot\n"));
        Profile menu = profile("""
                name: menu
                kind: menu
                params:
                  title: Lab
                  default: local
                  timeout: "5"
                items:
                  - {profile: sanboot, label: Own disk}
                  - {profile: di, label: Installer}
                  - {profile: local, label: Local disk}
                """);
        RenderOutcome out = render(menu, n -> Optional.ofNullable(all.get(n)));
        assertThat(out.script()).isEqualTo("# Chainboot profile menu for 52:54:00:12:34:56 (GRUB)\n"
                + "# Lab\n"
                + "set default=1\n"
                + "set timeout=5\n"
                + "# item sanboot left out: profile sanboot (sanboot) cannot boot under Secure Boot: GRUB has no iSCSI client"
                + " (use a linux profile whose initramfs logs in, or chain a signed iPXE)\n"
                + "menuentry 'Installer' {\n"
                + "    echo 'Chainboot: di: loading the kernel'\n"
                + "    linux /d/linux\n"
                + "    boot\n"
                + "}\n"
                + "menuentry 'Local disk' {\n"
                + "    echo 'Chainboot: local: booting from the local disk'\n"
                + "    exit\n"
                + "}\n");
        Profile onlySan = profile("name: m2\nkind: menu\nitems:\n  - {profile: sanboot, label: Own disk}\n");
        assertThat(render(onlySan, n -> Optional.ofNullable(all.get(n)))).isInstanceOf(RenderOutcome.Failure.class);
    }
}
