package io.chainboot.script.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * Settings of script-service ({@code chainboot.script.*}). The key names are a contract with the
 * launcher and docker-compose; the HTTP port is Quarkus' own {@code quarkus.http.port} (8081).
 */
@ConfigMapping(prefix = "chainboot.script")
public interface ScriptConfig {

    /** Directory of profile YAML files; profiles here replace built-in ones of the same name. */
    @WithDefault("state/profiles")
    String profilesDir();

    /** Directory served under {@code /assets/} (wimboot, WinPE, kernels, ISOs). */
    @WithDefault("state/assets")
    String assetsDir();

    /**
     * Directory served under {@code /boot-files/} to UEFI HTTP Boot firmware (the loaders, e.g.
     * {@code ipxe.efi}; the TFTP root, so both transports serve the same files). Unset: 404.
     */
    Optional<String> bootFilesDir();

    /** Profile of machines that neither name a profile nor match a selector. */
    @WithDefault("menu")
    String defaultProfile();

    /** Address iPXE connects to for {@code sanboot}/{@code sanhook}; without it those profiles render an error script. */
    Optional<String> iscsiServer();

    /**
     * The iSCSI server for scripts requested over IPv6 (the request's Host is an IPv6 literal, as iPXE sends
     * after DHCPv6), e.g. {@code fd77::1}; unset = {@link #iscsiServer()} for every script.
     */
    Optional<String> iscsiServerV6();

    @WithDefault("3260")
    int iscsiPort();

    /** Externally visible URL of this service (for asset and chain links); default: from the request's Host header. */
    Optional<String> baseUrl();

    /** Seconds between checks of the profiles directory for changed files (0 = only at start and on POST /api/profiles/reload). */
    @WithDefault("5")
    int profilesScan();

    /**
     * Whether the service refuses to start when a profile file is refused (each problem logged at
     * ERROR on its own line, for {@code ./chainboot up} to print); false = start without those files.
     */
    @WithDefault("true")
    boolean refuseBadProfiles();

    /** Seconds an error script waits before it asks for a new script. */
    @WithDefault("10")
    int retryDelay();
}
