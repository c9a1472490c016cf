package io.chainboot.script.render;

import io.chainboot.events.DiskKind;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Names;
import io.chainboot.script.boot.BootFacts;
import io.chainboot.script.profile.Profile;
import io.chainboot.script.profile.ProfileParser;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Exact output of every profile kind: the whole script is asserted, line by line. */
class ScriptRendererTest {
    static final String PREFIX = "iqn.2026-01.io.chainboot";
    static final String SECRET = "cluster-secret-for-tests";
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");
    static final RenderContext CTX = new RenderContext("http://10.0.0.1:8081", "10.0.0.1", 3260, PREFIX, SECRET, 10);
    static final String RETRY = "http://10.0.0.1:8081/boot.ipxe?mac=${mac:hexhyp}&uuid=${uuid}&arch=${buildarch}"
            + "&platform=${platform}&manufacturer=${manufacturer:uristring}&serial=${serial:uristring}";

    final ScriptRenderer renderer = new ScriptRenderer();

    static Profile profile(String yaml) {
        return ProfileParser.parse(yaml, "test").orElseThrow();
    }

    static MachineSpec machine(String hostname, MachineSpec.ChapPolicy chap, Map<String, String> labels, Map<String, String> params) {
        return new MachineSpec(MAC, null, hostname, null, null, labels, params,
                new MachineSpec.DiskAssignment(DiskKind.OVERLAY, "win11", null), chap, true, null, Instant.EPOCH);
    }

    static BootFacts facts(String platform) {
        return new BootFacts(MAC, null, "x86_64", platform, null, null, null, null);
    }

    String script(Profile p, MachineSpec spec, BootFacts f) {
        RenderOutcome out = renderer.render(p, spec, f, CTX);
        assertThat(out).as(out instanceof RenderOutcome.Failure x ? x.reason() : "").isInstanceOf(RenderOutcome.Script.class);
        return out.script();
    }

    @Test
    void sanbootWithoutChap() {
        String s = script(profile("name: sanboot\nkind: sanboot\n"), machine("ws01", null, Map.of(), Map.of()), facts("pcbios"));
        assertThat(s).isEqualTo("""
                #!ipxe
                # Chainboot profile sanboot for 52:54:00:12:34:56
                set initiator-iqn iqn.2026-01.io.chainboot:initiator:52-54-00-12-34-56
                set keep-san 1
                sanboot iscsi:10.0.0.1::3260:0:iqn.2026-01.io.chainboot:ws01 || goto failed
                :failed
                echo Chainboot: sanboot failed for 52:54:00:12:34:56, retrying in 10 seconds
                sleep 10
                chain --replace --autofree %s&profile=sanboot
                """.formatted(RETRY));
    }

    @Test
    void sanbootWithMutualChapOnUefiUsesTheEfiFilename() {
        Profile p = profile("name: san-efi\nkind: sanboot\nparams:\n  efi-filename: \\EFI\\BOOT\\BOOTX64.EFI\n");
        String s = script(p, machine(null, new MachineSpec.ChapPolicy(true, true), Map.of(), Map.of()), facts("efi"));
        String target = PREFIX + ":52-54-00-12-34-56";
        assertThat(s).isEqualTo("""
                #!ipxe
                # Chainboot profile san-efi for 52:54:00:12:34:56
                set initiator-iqn iqn.2026-01.io.chainboot:initiator:52-54-00-12-34-56
                set username iqn.2026-01.io.chainboot:initiator:52-54-00-12-34-56
                set password %s
                set reverse-username %s
                set reverse-password %s
                set keep-san 1
                sanboot --filename \\EFI\\BOOT\\BOOTX64.EFI iscsi:10.0.0.1::3260:0:%s || goto failed
                :failed
                echo Chainboot: san-efi failed for 52:54:00:12:34:56, retrying in 10 seconds
                sleep 10
                chain --replace --autofree %s&profile=san-efi
                """.formatted(Names.chapSecret(SECRET, MAC), target, Names.mutualChapSecret(SECRET, MAC), target, RETRY));
        assertThat(Names.macOfInitiator("iqn.2026-01.io.chainboot:initiator:52-54-00-12-34-56")).contains(MAC);
    }

    @Test
    void sanbootOnBiosIgnoresTheEfiFilename() {
        Profile p = profile("name: san-efi\nkind: sanboot\nparams:\n  efi-filename: \\EFI\\BOOT\\BOOTX64.EFI\n");
        String s = script(p, machine("ws01", null, Map.of(), Map.of()), facts("pcbios"));
        assertThat(s).contains("\nsanboot iscsi:10.0.0.1::3260:0:iqn.2026-01.io.chainboot:ws01 || goto failed\n");
    }

    @Test
    void installWindows() {
        Profile p = profile("""
                name: install-windows
                kind: install-windows
                params:
                  wimboot: wimboot
                  winpe: winpe
                  install-bat: winpe/install.bat
                  winpeshl-ini: winpe/winpeshl.ini
                """);
        String s = script(p, machine("ws01", new MachineSpec.ChapPolicy(true, false), Map.of(), Map.of()), facts("pcbios"));
        assertThat(s).isEqualTo("""
                #!ipxe
                # Chainboot profile install-windows for 52:54:00:12:34:56
                set initiator-iqn iqn.2026-01.io.chainboot:initiator:52-54-00-12-34-56
                set username iqn.2026-01.io.chainboot:initiator:52-54-00-12-34-56
                set password %s
                sanhook --drive 0x80 iscsi:10.0.0.1::3260:0:iqn.2026-01.io.chainboot:ws01 || goto failed
                cpuid --ext 29 && set arch amd64 || set arch x86
                kernel http://10.0.0.1:8081/assets/wimboot || goto failed
                initrd http://10.0.0.1:8081/assets/winpe/${arch}/boot/bcd BCD || goto failed
                initrd http://10.0.0.1:8081/assets/winpe/${arch}/boot/boot.sdi boot.sdi || goto failed
                initrd http://10.0.0.1:8081/assets/winpe/install.bat install.bat || goto failed
                initrd http://10.0.0.1:8081/assets/winpe/winpeshl.ini winpeshl.ini || goto failed
                initrd http://10.0.0.1:8081/assets/winpe/${arch}/sources/boot.wim boot.wim || goto failed
                boot || goto failed
                :failed
                echo Chainboot: install-windows failed for 52:54:00:12:34:56, retrying in 10 seconds
                sleep 10
                chain --replace --autofree %s&profile=install-windows
                """.formatted(Names.chapSecret(SECRET, MAC), RETRY));
    }

    @Test
    void linuxWithTemplatedCmdlineAndTwoInitrds() {
        Profile p = profile("""
                name: debian-iscsi
                kind: linux
                params:
                  kernel: debian/vmlinuz
                  initrd: debian/initrd.img, https://mirror.example/firmware.cpio.gz
                  cmdline: "ip=dhcp hostname={hostname} netroot=iscsi:{iscsiServer}::{iscsiPort}:0:{targetIqn} rd.iscsi.initiator={initiatorIqn} {params.extra}"
                  extra: quiet
                """);
        String s = script(p, machine("ws01", null, Map.of(), Map.of("extra", "console=ttyS0 quiet")), facts("efi"));
        assertThat(s).isEqualTo("""
                #!ipxe
                # Chainboot profile debian-iscsi for 52:54:00:12:34:56
                kernel http://10.0.0.1:8081/assets/debian/vmlinuz ip=dhcp hostname=ws01 netroot=iscsi:10.0.0.1::3260:0:iqn.2026-01.io.chainboot:ws01 rd.iscsi.initiator=iqn.2026-01.io.chainboot:initiator:52-54-00-12-34-56 console=ttyS0 quiet || goto failed
                initrd http://10.0.0.1:8081/assets/debian/initrd.img || goto failed
                initrd https://mirror.example/firmware.cpio.gz || goto failed
                boot || goto failed
                :failed
                echo Chainboot: debian-iscsi failed for 52:54:00:12:34:56, retrying in 10 seconds
                sleep 10
                chain --replace --autofree %s&profile=debian-iscsi
                """.formatted(RETRY));
    }

    @Test
    void linuxWithoutCmdlineOrDisk() {
        Profile p = profile("name: live\nkind: linux\nparams:\n  kernel: /live/vmlinuz\n");
        String s = script(p, null, facts(null));
        assertThat(s).startsWith("""
                #!ipxe
                # Chainboot profile live for 52:54:00:12:34:56
                kernel http://10.0.0.1:8081/assets/live/vmlinuz || goto failed
                boot || goto failed
                """);
    }

    @Test
    void linuxWithSanhookHooksTheMachinesDiskBeforeTheKernel() {
        Profile p = profile("""
                name: debian-12-http
                kind: linux
                params:
                  kernel: debian-12/vmlinuz
                  initrd: debian-12/initrd.img
                  sanhook: true
                  cmdline: root=UUID=29122a27-dd84-4499-9665-b8db6a2020d6 rw console=ttyS0,115200 edd=off
                """);
        RenderOutcome out = renderer.render(p, machine("ws01", null, Map.of(), Map.of()), facts("pcbios"), CTX);
        assertThat(out.script()).isEqualTo("""
                #!ipxe
                # Chainboot profile debian-12-http for 52:54:00:12:34:56
                set initiator-iqn iqn.2026-01.io.chainboot:initiator:52-54-00-12-34-56
                sanhook iscsi:10.0.0.1::3260:0:iqn.2026-01.io.chainboot:ws01 || goto failed
                kernel http://10.0.0.1:8081/assets/debian-12/vmlinuz root=UUID=29122a27-dd84-4499-9665-b8db6a2020d6 rw console=ttyS0,115200 edd=off || goto failed
                initrd http://10.0.0.1:8081/assets/debian-12/initrd.img || goto failed
                boot || goto failed
                :failed
                echo Chainboot: debian-12-http failed for 52:54:00:12:34:56, retrying in 10 seconds
                sleep 10
                chain --replace --autofree %s&profile=debian-12-http
                """.formatted(RETRY));
        assertThat(((RenderOutcome.Script) out).attachesSan()).isTrue();
    }

    @Test
    void linuxWithSanhookAndMutualChap() {
        Profile p = profile("name: dh\nkind: linux\nparams:\n  kernel: k\n  sanhook: true\n");
        String s = script(p, machine("ws01", new MachineSpec.ChapPolicy(true, true), Map.of(), Map.of()), facts("efi"));
        String target = PREFIX + ":ws01";
        assertThat(s).startsWith("""
                #!ipxe
                # Chainboot profile dh for 52:54:00:12:34:56
                set initiator-iqn iqn.2026-01.io.chainboot:initiator:52-54-00-12-34-56
                set username iqn.2026-01.io.chainboot:initiator:52-54-00-12-34-56
                set password %s
                set reverse-username %s
                set reverse-password %s
                sanhook iscsi:10.0.0.1::3260:0:%s || goto failed
                kernel http://10.0.0.1:8081/assets/k || goto failed
                boot || goto failed
                """.formatted(Names.chapSecret(SECRET, MAC), target, Names.mutualChapSecret(SECRET, MAC), target));
    }

    @Test
    void aMachinesOwnParamTurnsSanhookOnOrOff() {
        Profile p = profile("name: dh\nkind: linux\nparams:\n  kernel: k\n  sanhook: false\n");
        assertThat(script(p, machine("ws01", null, Map.of(), Map.of("sanhook", "true")), facts("pcbios")))
                .contains("\nsanhook iscsi:10.0.0.1::3260:0:iqn.2026-01.io.chainboot:ws01 || goto failed\n");
        Profile on = profile("name: dh\nkind: linux\nparams:\n  kernel: k\n  sanhook: true\n");
        assertThat(script(on, machine("ws01", null, Map.of(), Map.of("sanhook", "false")), facts("pcbios")))
                .doesNotContain("sanhook").doesNotContain("initiator-iqn");
    }

    @Test
    void linuxWithSanhookOfAMachineWithoutDiskFails() {
        Profile p = profile("name: dh\nkind: linux\nparams:\n  kernel: k\n  sanhook: true\n");
        RenderOutcome out = renderer.render(p, null, facts("pcbios"), CTX);
        assertThat(((RenderOutcome.Failure) out).reason()).isEqualTo("no iSCSI disk is assigned to 52:54:00:12:34:56 (profile dh)");
    }

    @Test
    void aMachineSanhookParamThatIsNotABooleanFails() {
        Profile p = profile("name: dh\nkind: linux\nparams:\n  kernel: k\n");
        RenderOutcome out = renderer.render(p, machine("ws01", null, Map.of(), Map.of("sanhook", "yes")), facts("pcbios"), CTX);
        assertThat(((RenderOutcome.Failure) out).reason()).isEqualTo("profile dh: params.sanhook must be true or false, got 'yes'");
    }

    @Test
    void whetherAScriptAttachesSanIsReadFromItsCommands() {
        MachineSpec ws01 = machine("ws01", null, Map.of(), Map.of());
        assertThat(attaches(profile("name: sanboot\nkind: sanboot\n"), ws01)).isTrue();
        assertThat(attaches(profile("name: w\nkind: install-windows\n"), ws01)).isTrue();
        assertThat(attaches(profile("name: live\nkind: linux\nparams:\n  kernel: k\n"), ws01)).isFalse();
        assertThat(attaches(profile("name: local\nkind: local\n"), ws01)).isFalse();
        assertThat(attaches(profile("name: c\nkind: chain\nparams:\n  url: https://boot.netboot.xyz\n"), ws01)).isFalse();
        assertThat(attaches(profile("name: m\nkind: menu\nitems: [{profile: sanboot}]\n"), ws01))
                .as("a menu's sanboot item is another script").isFalse();
        assertThat(attaches(profile("name: t\nkind: local\ntemplate: \"#!ipxe\\n  sanhook {sanUri}\\nexit\\n\"\n"), ws01))
                .as("a custom template answers by what it does").isTrue();
        assertThat(ScriptRenderer.attachesSan("#!ipxe\n# sanboot later\necho sanboot\nsanbooted\n")).isFalse();
    }

    boolean attaches(Profile p, MachineSpec spec) {
        RenderOutcome out = renderer.render(p, spec, facts("pcbios"), CTX);
        return ((RenderOutcome.Script) out).attachesSan();
    }

    @Test
    void menu() {
        Profile p = profile("""
                name: lab
                kind: menu
                params:
                  title: Lab ${hostname}
                  default: local
                  timeout: "5"
                items:
                  - profile: sanboot
                    label: Boot my iSCSI disk
                    key: s
                  - profile: local
                    label: Local disk
                  - profile: shell
                    label: iPXE shell
                """);
        String s = script(p, null, facts("pcbios"));
        String chain = RETRY.replace("http://", "http://");
        assertThat(s).isEqualTo("""
                #!ipxe
                # Chainboot profile lab for 52:54:00:12:34:56
                :start
                menu Lab ${hostname}
                item --key s sanboot Boot my iSCSI disk
                item local Local disk
                item shell iPXE shell
                choose --timeout 5000 --default local selected || goto item-local
                goto item-${selected}
                :item-sanboot
                chain --replace --autofree %1$s&profile=sanboot || goto failed
                :item-local
                chain --replace --autofree %1$s&profile=local || goto failed
                :item-shell
                shell
                goto start
                :failed
                echo Chainboot: the choice failed for 52:54:00:12:34:56, back to the menu in 10 seconds
                sleep 10
                goto start
                """.formatted(chain));
    }

    @Test
    void chain() {
        Profile p = profile("name: netboot-xyz\nkind: chain\nparams:\n  url: https://boot.netboot.xyz\n");
        assertThat(script(p, null, facts("efi"))).isEqualTo("""
                #!ipxe
                # Chainboot profile netboot-xyz for 52:54:00:12:34:56
                chain --autofree https://boot.netboot.xyz || goto failed
                :failed
                echo Chainboot: netboot-xyz failed for 52:54:00:12:34:56, retrying in 10 seconds
                sleep 10
                chain --replace --autofree %s&profile=netboot-xyz
                """.formatted(RETRY));
    }

    @Test
    void local() {
        assertThat(script(profile("name: local\nkind: local\n"), null, facts("efi"))).isEqualTo("""
                #!ipxe
                # Chainboot profile local for 52:54:00:12:34:56
                echo Chainboot: 52:54:00:12:34:56 boots from its local disk
                exit
                """);
    }

    @Test
    void customTemplateSeesCheckedLabelsAndParams() {
        Profile p = profile("""
                name: custom
                kind: local
                template: |
                  #!ipxe
                  echo {hostname} in room {labels.room}
                  exit
                """);
        String s = script(p, machine("ws01", null, Map.of("room", "b12"), Map.of()), facts("efi"));
        assertThat(s).isEqualTo("#!ipxe\necho ws01 in room b12\nexit\n");
    }

    @Test
    void errorScriptEchoesTheReasonAndRetries() {
        RenderOutcome.Failure f = renderer.failure(facts("efi"), "x", CTX, "profile 'x' does not exist");
        assertThat(f.script()).isEqualTo("""
                #!ipxe
                echo Chainboot could not prepare a boot script for 52:54:00:12:34:56:
                echo profile ?x? does not exist
                echo Retrying in 10 seconds
                sleep 10
                chain --replace --autofree %s
                """.formatted(RETRY));
    }

    @Test
    void withoutBaseUrlLinksAreRelativeToTheScript() {
        RenderContext relative = new RenderContext(null, "10.0.0.1", 3260, PREFIX, SECRET, 30);
        RenderOutcome out = renderer.render(profile("name: c\nkind: chain\nparams:\n  url: boot.ipxe\n"), null, facts("efi"), relative);
        assertThat(out.script()).contains("\nchain --autofree assets/boot.ipxe || goto failed\n")
                .contains("\nchain --replace --autofree boot.ipxe?mac=${mac:hexhyp}&");
    }

    // --- failures: a reason, never an exception ---

    @Test
    void sanbootOfAMachineWithoutDiskFails() {
        RenderOutcome out = renderer.render(profile("name: sanboot\nkind: sanboot\n"), null, facts("efi"), CTX);
        assertThat(out).isInstanceOf(RenderOutcome.Failure.class);
        assertThat(((RenderOutcome.Failure) out).reason()).isEqualTo("no iSCSI disk is assigned to 52:54:00:12:34:56 (profile sanboot)");
        assertThat(out.script()).startsWith("#!ipxe\n").contains("echo no iSCSI disk is assigned to 52:54:00:12:34:56 (profile sanboot)\n");
    }

    @Test
    void sanbootWithoutIscsiServerFails() {
        RenderContext noServer = new RenderContext("http://h", null, 3260, PREFIX, SECRET, 10);
        RenderOutcome out = renderer.render(profile("name: sanboot\nkind: sanboot\n"), machine("ws01", null, Map.of(), Map.of()), facts("efi"), noServer);
        assertThat(((RenderOutcome.Failure) out).reason()).contains("chainboot.script.iscsi-server is not set");
    }

    @Test
    void chapWithoutClusterSecretFails() {
        RenderContext noSecret = new RenderContext("http://h", "10.0.0.1", 3260, PREFIX, null, 10);
        RenderOutcome out = renderer.render(profile("name: sanboot\nkind: sanboot\n"),
                machine("ws01", new MachineSpec.ChapPolicy(true, false), Map.of(), Map.of()), facts("efi"), noSecret);
        assertThat(((RenderOutcome.Failure) out).reason()).contains("chainboot.common.cluster-secret is not set");
    }

    @Test
    void customTemplateUsingAMissingValueFails() {
        Profile p = profile("name: custom\nkind: local\ntemplate: \"#!ipxe\\necho {labels.room}\\n\"\n");
        RenderOutcome out = renderer.render(p, machine("ws01", null, Map.of(), Map.of()), facts("efi"), CTX);
        assertThat(out).isInstanceOf(RenderOutcome.Failure.class);
        assertThat(out.script()).startsWith("#!ipxe\necho Chainboot could not prepare");
    }
}
