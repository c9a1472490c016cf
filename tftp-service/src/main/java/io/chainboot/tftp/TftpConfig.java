package io.chainboot.tftp;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.OptionalInt;

/** {@code chainboot.tftp.*}: the keys are a contract with the launcher and docker-compose (docs/tftp-service.md). */
@ConfigMapping(prefix = "chainboot.tftp")
public interface TftpConfig {
    /**
     * Address the TFTP port and the per-transfer ports bind to: IPv4 by default; {@code ::} (set by
     * {@code ./chainboot up --v6-pool}) serves IPv6 and IPv4 clients, but fails where IPv6 is off.
     */
    @WithDefault("0.0.0.0")
    String bindAddress();

    @WithDefault("69")
    int port();

    /** Directory served read-only; created if missing. */
    @WithDefault("state/tftp")
    String root();

    /** Link MTU; the blksize cap is {@code mtu - 32} (IPv4 20 + UDP 8 + TFTP 4 bytes) unless max-blksize is set. */
    @WithDefault("1500")
    int mtu();

    /** Explicit blksize cap (512..65464), overriding the MTU-derived one. */
    OptionalInt maxBlksize();

    /** RFC 7440 windowsize cap, 1..64. */
    @WithDefault("64")
    int maxWindow();

    @WithDefault("500")
    int maxTransfers();

    /** Retransmission timeout when the client does not ask one with the timeout option. */
    @WithDefault("1s")
    Duration timeout();

    /** Retransmissions before a transfer is given up. */
    @WithDefault("5")
    int retries();

    /** Selector threads. */
    @WithDefault("2")
    int ioThreads();

    /**
     * Give every transfer a second socket on its port, {@code connect()}ed to the client, for its
     * traffic (cheaper per packet than {@code sendto}); false sends from the unconnected one.
     */
    @WithDefault("true")
    boolean connectedSockets();

    /** Whether to start the TFTP listener at all. */
    @WithDefault("true")
    boolean enabled();

    /**
     * script-service's GRUB URL, e.g. {@code http://10.0.0.1:8081/grub/}: read requests for {@code grub/grub.cfg}
     * and {@code grub/grub.cfg-<mac>} (the Secure Boot path's signed GRUB reads its configuration only over TFTP)
     * are answered with what that URL gives for the same name. Unset = those names are files of the root.
     */
    java.util.Optional<String> grubConfigUrl();

    /**
     * Files boot loaders ask for and boot without: shim 16's revocation lists and certificate, GRUB's module
     * lists. When missing they get ERROR 1 (file not found) as any file, but publish no {@code tftp.failed}
     * (the boot did not fail). Names relative to the root.
     */
    @WithDefault("revocations_sku.efi,revocations_sbat.efi,shim_certificate_0.efi,grub/x86_64-efi/command.lst,"
            + "grub/x86_64-efi/fs.lst,grub/x86_64-efi/crypto.lst,grub/x86_64-efi/terminal.lst,grub/x86_64-efi/moddep.lst")
    java.util.List<String> optionalFiles();
}
