package io.chainboot.dhcp.boot;

/** The outcome of the boot decision table: a file (TFTP name or URL) to hand out, or none. */
public sealed interface BootChoice {

    /** No boot file: an OS client, network boot disabled, or an architecture we have no loader for. */
    record None(String reason) implements BootChoice {
    }

    /**
     * @param file       the boot file name (TFTP) or URL (HTTP)
     * @param nextServer TFTP server for {@code siaddr}, null for URLs
     * @param httpBoot   the reply must carry option 60 = {@code HTTPClient} (UEFI HTTP Boot)
     */
    record Boot(String file, String nextServer, boolean httpBoot) implements BootChoice {
    }
}
