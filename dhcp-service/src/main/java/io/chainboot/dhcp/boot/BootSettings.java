package io.chainboot.dhcp.boot;

import java.util.Optional;

/**
 * Inputs of the boot decision table.
 *
 * @param scriptUrl   script-service URL given to iPXE (the query string is appended)
 * @param tftpServer  next-server for firmware downloads
 * @param bios        loader for arch 0 (BIOS PXE)
 * @param efiX64      loader for arch 7/9 (x64 UEFI)
 * @param efiArm64    loader for arch 11 (ARM64 UEFI)
 * @param httpBootUrl base URL for UEFI HTTP Boot clients; empty = HTTP Boot clients are not answered
 * @param httpEfiX64  loader appended to {@code httpBootUrl} for HTTP Boot arch 16 (x64 UEFI HTTP)
 * @param httpEfiArm64 loader appended to {@code httpBootUrl} for HTTP Boot arch 19 (ARM64 UEFI HTTP)
 * @param secureBootX64 first loader of the Secure Boot path for x64 UEFI PXE (arch 7/9): a signed
 *                      shim ({@code shimx64.efi}), which loads the signed GRUB beside it
 */
public record BootSettings(String scriptUrl, String tftpServer, String bios, String efiX64, String efiArm64,
                           Optional<String> httpBootUrl, String httpEfiX64, String httpEfiArm64, String secureBootX64) {

    /** The Secure Boot path's loader is Debian's signed shim under its usual name. */
    public BootSettings(String scriptUrl, String tftpServer, String bios, String efiX64, String efiArm64,
                        Optional<String> httpBootUrl, String httpEfiX64, String httpEfiArm64) {
        this(scriptUrl, tftpServer, bios, efiX64, efiArm64, httpBootUrl, httpEfiX64, httpEfiArm64, "shimx64.efi");
    }

    /** HTTP Boot clients get the same loaders as PXE clients of their architecture. */
    public BootSettings(String scriptUrl, String tftpServer, String bios, String efiX64, String efiArm64,
                        Optional<String> httpBootUrl) {
        this(scriptUrl, tftpServer, bios, efiX64, efiArm64, httpBootUrl, efiX64, efiArm64);
    }
}
