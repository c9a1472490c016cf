package io.chainboot.dhcp.boot;

import io.chainboot.events.ClientKind;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Names;

import java.util.Optional;

/**
 * The boot decision table: which file a client gets, from its kind and RFC 4578 architecture
 * (option 93 values from the IANA "Processor Architecture Types" registry) and its machine spec.
 *
 * <table>
 *   <tr><th>client</th><th>arch</th><th>answer</th></tr>
 *   <tr><td>iPXE (77 = iPXE)</td><td>any</td><td>script URL with {@code ${mac:hexhyp}} etc. (loop broken)</td></tr>
 *   <tr><td>HTTPClient</td><td>16 (7, 9)</td><td>{@code http-boot-url} + {@code http-boot-files.efi-x64}, reply carries 60 = HTTPClient</td></tr>
 *   <tr><td>HTTPClient</td><td>19 (11)</td><td>{@code http-boot-url} + {@code http-boot-files.efi-arm64}</td></tr>
 *   <tr><td>PXEClient</td><td>0 (or absent)</td><td>{@code boot-files.bios} via TFTP</td></tr>
 *   <tr><td>PXEClient</td><td>7, 9</td><td>{@code boot-files.efi-x64}</td></tr>
 *   <tr><td>PXEClient, machine labelled secure-boot</td><td>7, 9</td><td>{@code boot-files.efi-x64-secure-boot} (shim)</td></tr>
 *   <tr><td>PXEClient</td><td>11</td><td>{@code boot-files.efi-arm64}</td></tr>
 *   <tr><td>other client listing 67 in option 55</td><td>0 (or absent)</td><td>{@code boot-files.bios}, like ISC dhcpd's {@code filename}</td></tr>
 *   <tr><td>anything else</td><td></td><td>none</td></tr>
 * </table>
 * <p>The Secure Boot path: a machine labelled {@value #SECURE_BOOT_LABEL}{@code : "true"} gets, as an
 * x64 UEFI PXE client (7, 9), {@code boot-files.efi-x64-secure-boot} ({@code shimx64.efi}, the signed shim;
 * it loads the signed GRUB beside it, which reads {@code grub/grub.cfg} over TFTP). The firmware's DHCP
 * cannot say whether Secure Boot is on (option 93 is 7 either way), hence the label. As an HTTP Boot client it
 * gets none (Debian's signed GRUB reads only TFTP: a GRUB loaded over HTTP finds no configuration); on
 * arm64 none (no Secure Boot loader configured); BIOS has no Secure Boot and gets its usual loader.
 * A spec with {@code netboot=false} gets none; a spec's {@code bootFile} replaces the answer for
 * iPXE when it is a URL (contains {@code ://}) and for firmware otherwise. An HTTP Boot URL of the
 * table carries {@code ?mac=<mac-hyphenated>} (script-service names the machine in its event by it).
 */
public final class BootTable {
    /** Machine label that puts a machine on the Secure Boot path (value {@code true}). */
    public static final String SECURE_BOOT_LABEL = "secure-boot";

    private final BootSettings settings;

    public BootTable(BootSettings settings) {
        this.settings = settings;
    }

    public BootChoice choose(ClientInfo client, Optional<MachineSpec> spec) {
        if (spec.isPresent() && !spec.get().netboot()) {
            return new BootChoice.None("network boot disabled for this machine");
        }
        Optional<String> override = spec.map(MachineSpec::bootFile).filter(f -> !f.isBlank());
        if (client.kind() == ClientKind.IPXE) {
            if (override.filter(f -> f.contains("://")).isPresent()) {
                return new BootChoice.Boot(override.get(), null, false);
            }
            String url = settings.scriptUrl();
            return new BootChoice.Boot(url + (url.contains("?") ? "&" : "?") + Names.IPXE_SCRIPT_QUERY, null, false);
        }
        if (client.kind() != ClientKind.FIRMWARE) {
            if (client.asksBootFile()) {
                return firmwareFile(client.arch().orElse(0))
                        .<BootChoice>map(f -> new BootChoice.Boot(override.filter(o -> !o.contains("://")).orElse(f),
                                settings.tftpServer(), false))
                        .orElseGet(() -> new BootChoice.None("no loader for client architecture " + client.arch().orElse(0)));
            }
            return new BootChoice.None("not a network boot client");
        }
        boolean secureBoot = spec.map(m -> "true".equalsIgnoreCase(m.labels().get(SECURE_BOOT_LABEL))).orElse(false);
        if (client.httpClient()) {
            if (override.filter(f -> f.contains("://")).isPresent()) {
                return new BootChoice.Boot(override.get(), null, true);
            }
            if (secureBoot) {
                return new BootChoice.None("the Secure Boot path needs PXE over TFTP: the signed GRUB reads nothing over HTTP");
            }
            if (settings.httpBootUrl().isEmpty()) {
                return new BootChoice.None("HTTP boot not configured (chainboot.dhcp.http-boot-url)");
            }
            Optional<String> file = httpBootFile(client.arch().orElse(16));
            if (file.isEmpty()) {
                return new BootChoice.None("no HTTP boot loader for client architecture " + client.arch().orElse(16));
            }
            String base = settings.httpBootUrl().get();
            String url = base.endsWith(".efi") ? base : base.replaceAll("/+$", "") + "/" + file.get();
            // the firmware's HTTP request carries no MAC, and in proxy mode no lease names it: the URL does
            return new BootChoice.Boot(client.mac().map(m -> url + (url.contains("?") ? "&" : "?") + "mac="
                    + m.toHyphenated()).orElse(url), null, true);
        }
        if (override.filter(f -> !f.contains("://")).isPresent()) {
            return new BootChoice.Boot(override.get(), settings.tftpServer(), false);
        }
        int arch = client.arch().orElse(0);
        if (secureBoot && arch != 0) {
            return arch == 7 || arch == 9
                    ? new BootChoice.Boot(settings.secureBootX64(), settings.tftpServer(), false)
                    : new BootChoice.None("no Secure Boot loader for client architecture " + arch);
        }
        Optional<String> file = firmwareFile(arch);
        return file.<BootChoice>map(f -> new BootChoice.Boot(f, settings.tftpServer(), false))
                .orElseGet(() -> new BootChoice.None("no loader for client architecture " + client.arch().orElse(0)));
    }

    /** RFC 4578 §2.1 / IANA arch types: 0 BIOS; 7, 9 x64 UEFI; 11 ARM64 UEFI (16/19, HTTP arches, as their PXE twins). */
    Optional<String> firmwareFile(int arch) {
        return switch (arch) {
            case 0 -> Optional.of(settings.bios());
            case 7, 9, 16 -> Optional.of(settings.efiX64());
            case 11, 19 -> Optional.of(settings.efiArm64());
            default -> Optional.empty();
        };
    }

    /**
     * UEFI 2.5+ HTTP Boot (§24.7; IANA arch 16 x64 UEFI HTTP, 19 ARM64 UEFI HTTP). A firmware that
     * says HTTPClient with a PXE arch (7, 9, 11) gets the HTTP loader of that CPU too.
     */
    Optional<String> httpBootFile(int arch) {
        return switch (arch) {
            case 7, 9, 16 -> Optional.of(settings.httpEfiX64());
            case 11, 19 -> Optional.of(settings.httpEfiArm64());
            default -> Optional.empty();
        };
    }
}
