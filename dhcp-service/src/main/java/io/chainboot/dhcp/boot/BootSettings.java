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
 */
public record BootSettings(String scriptUrl, String tftpServer, String bios, String efiX64, String efiArm64,
                           Optional<String> httpBootUrl) {
}
