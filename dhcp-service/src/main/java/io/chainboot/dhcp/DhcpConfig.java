package io.chainboot.dhcp;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** All {@code chainboot.dhcp.*} settings (the contract with the launcher and docker-compose). */
@ConfigMapping(prefix = "chainboot.dhcp")
public interface DhcpConfig {

    /** {@code proxy} (boot info only, next to another DHCP server) or {@code full} (hands out addresses). */
    @WithDefault("proxy")
    String mode();

    @WithDefault("0.0.0.0")
    String bindAddress();

    /** The boot LAN interface; used to find {@link #serverAddress()} when that is unset. */
    @WithName("interface")
    Optional<String> interfaceName();

    /** Our IPv4 address: server identifier (54) and default next-server. */
    Optional<String> serverAddress();

    @WithDefault("67")
    int port();

    @WithDefault("4011")
    int proxyPort();

    @WithDefault("68")
    int clientPort();

    /** Lease database directory. */
    @WithDefault("state/dhcp")
    String stateDir();

    /** fsync the lease journal on every change (survives power loss; a disk flush per ACK). */
    @WithDefault("false")
    boolean leaseFsync();

    Pool pool();

    /**
     * Full mode: pools of subnets behind DHCP relay agents, each {@code START-END/PREFIX[@ROUTER]}
     * (e.g. {@code 10.78.0.100-10.78.0.200/24@10.78.0.1}; ROUTER is option 3, usually the relay's
     * own address). A relayed request is served from the pool whose subnet holds its giaddr; the
     * others get {@code pool.dns}. Unset: relayed requests from other subnets are not answered.
     */
    Optional<List<String>> relayPools();

    /**
     * Script-service URL for iPXE ({@code http://<address>:<script-service port>/boot.ipxe}); required:
     * the launcher and docker-compose set it from script-service's own port, its one source.
     */
    Optional<String> scriptUrl();

    /** Next-server for firmware TFTP downloads; default the server address. */
    Optional<String> tftpServer();

    BootFiles bootFiles();

    /** Base URL (or full .efi URL) for UEFI HTTP Boot clients; unset = they are not answered. */
    Optional<String> httpBootUrl();

    /** Loaders appended to {@link #httpBootUrl()} per HTTP Boot architecture. */
    HttpBootFiles httpBootFiles();

    Rate rate();

    /** High availability: several full-mode instances sharing the pools through Kafka (docs/dhcp-ha.md). */
    Ha ha();

    /** How long an offered address is held for the client. */
    @WithDefault("30s")
    Duration offerHold();

    /** How long a declined address is kept out of use (RFC 2131 §4.3.3). */
    @WithDefault("10m")
    Duration declineQuarantine();

    /** Send iPXE option 175.8 keep-san=1 (keep the SAN disk registered when the OS boots). */
    @WithDefault("false")
    boolean ipxeKeepSan();

    /**
     * Answer IPv6 router solicitations so iPXE does not wait ~16 s for IPv6 autoconfiguration on a
     * link with no IPv6 router: {@code auto} (full mode: every solicitation; proxy mode: only machines
     * seen PXE/iPXE booting), {@code all}, {@code booting-clients} or {@code off}. Silent whenever
     * another router advertises on the link. Needs CAP_NET_RAW and the boot LAN interface.
     */
    @WithDefault("auto")
    String routerAdvertisements();

    /** An on-link SLAAC prefix to advertise (e.g. {@code fd77::/64}); unset = no prefix, link-local only. */
    Optional<String> routerAdvertisementPrefix();

    /** DHCPv6 (docs/dhcp-service.md "DHCPv6"): off unless a v6 pool is set (full mode) or it is enabled (proxy style). */
    V6 v6();

    /** Whether to start the DHCP listener at all. */
    @WithDefault("true")
    boolean enabled();

    interface Pool {
        Optional<String> start();

        Optional<String> end();

        Optional<String> subnetMask();

        Optional<String> router();

        Optional<List<String>> dns();

        @WithDefault("1h")
        Duration leaseTime();
    }

    interface BootFiles {
        @WithDefault("undionly.kpxe")
        String bios();

        @WithDefault("ipxe.efi")
        String efiX64();

        @WithDefault("ipxe-arm64.efi")
        String efiArm64();

        /**
         * The Secure Boot path (machines labelled {@code secure-boot: "true"}), x64 UEFI PXE: a signed
         * shim that loads the signed GRUB ({@code grubx64.efi}) from the same TFTP directory.
         */
        @WithDefault("shimx64.efi")
        String efiX64SecureBoot();
    }

    interface HttpBootFiles {
        /** Arch 16 (x64 UEFI HTTP). */
        @WithDefault("ipxe.efi")
        String efiX64();

        /** Arch 19 (ARM64 UEFI HTTP). */
        @WithDefault("ipxe-arm64.efi")
        String efiArm64();
    }

    interface Ha {
        /** Off: a single instance, exactly as without HA. */
        @WithDefault("false")
        boolean enabled();

        /** How many instances share the pools. */
        @WithDefault("2")
        int instances();

        /** This instance's share, 0 … instances − 1; each instance a different one. */
        @WithDefault("0")
        int index();

        /** Maximum client lead time: how far a grant may run past what Kafka holds. */
        @WithDefault("5m")
        Duration mclt();

        /** No heartbeat read from an instance for this long: it is down. */
        @WithDefault("10s")
        Duration partnerDownAfter();

        @WithDefault("1s")
        Duration heartbeat();

        /** How long the lease view counts as current after it last caught up; below {@link #mclt()}. */
        @WithDefault("5s")
        Duration viewStaleAfter();
    }

    interface Rate {
        /** Requests per second admitted per MAC (burst of one second); 0 = unlimited. */
        @WithDefault("20")
        double perMacPerSecond();

        /** Requests per second admitted in total; 0 = unlimited. */
        @WithDefault("0")
        double globalPerSecond();
    }

    interface V6 {
        /**
         * {@code auto} (on in full mode when {@link #pool()} is set, else off), {@code true} (full mode needs the
         * pool; proxy mode: boot options only, no addresses) or {@code false}.
         */
        @WithDefault("auto")
        String enabled();

        /** Full mode: IA_NA addresses {@code START-END} in one /64, e.g. {@code fd77::100-fd77::1ff}. */
        Optional<String> pool();

        /** Our global or unique-local IPv6 address, the host of the URLs handed out; default: the boot interface's first. */
        Optional<String> serverAddress();

        /** UDP port (547, RFC 8415 §7.2). */
        @WithDefault("547")
        int port();

        /** script-service's boot script URL over IPv6; default {@code script-url} with the host replaced by the v6 address. */
        Optional<String> scriptUrl();

        /** HTTP Boot base URL over IPv6; default {@code http-boot-url} with the host replaced; unset with it = no HTTP Boot. */
        Optional<String> httpBootUrl();
    }
}
