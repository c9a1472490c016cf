package io.chainboot.iscsi;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Everything iscsi-service reads from configuration ({@code chainboot.iscsi.*}). */
@ConfigMapping(prefix = "chainboot.iscsi")
public interface IscsiConfig {

    /**
     * Address the iSCSI portal binds to: IPv4 by default; {@code ::} (set by {@code ./chainboot up
     * --v6-pool}) takes IPv6 and IPv4 initiators, but fails where IPv6 is off (a container without it).
     */
    @WithDefault("0.0.0.0")
    String bindAddress();

    /** TCP port of the portal (3260 is the IANA port; tests use 0 = any free port). */
    @WithDefault("3260")
    int port();

    /** Address returned in SendTargets TargetAddress; default: the address the connection arrived on. */
    Optional<String> portalAddress();

    /** Where per-machine raw disks live: {@code <disks-dir>/<image or mac-hyphenated>.img}. */
    @WithDefault("state/iscsi/disks")
    String disksDir();

    /** Golden images (read-only bases of the machines' copy-on-write overlays). */
    @WithDefault("state/iscsi/images")
    String imagesDir();

    /**
     * The only directory {@code POST /api/images/{name}?path=} imports from: {@code path} is a file
     * name in it (or an absolute path inside it); anything resolving outside it, through {@code ..}
     * or a symbolic link, is refused (403).
     */
    @WithDefault("state/iscsi/import")
    String importDir();

    /**
     * Largest image upload ({@code PUT /api/images/{name}}) in bytes: a larger Content-Length, or
     * a body that grows past it, is refused with 413 naming this key. Default 64 GiB.
     */
    @WithDefault("68719476736")
    long uploadLimitBytes();

    /** Space each per-machine overlay may use for its data, in bytes (0 = no limit); beyond it writes fail cleanly. */
    @WithDefault("0")
    long overlayLimitBytes();

    /** Static targets, keyed by target IQN. */
    Map<String, StaticTarget> targets();

    /** Protocol limits offered at login. */
    Limits limits();

    /** Threads that execute SCSI commands (disk I/O never runs on a connection's reader thread). */
    @WithDefault("16")
    int ioThreads();

    /** Seconds of silence after which the target sends a NOP-In ping (0 = never). An unanswered ping never drops a session. */
    @WithDefault("0")
    int nopInIntervalSeconds();

    /** The start-up warm-up (the service talks iSCSI to itself before it reports ready). */
    Warmup warmup();

    /** Machine disks opened when their spec arrives rather than at their first login. */
    MachineDisks machineDisks();

    interface Warmup {
        /** Rounds of the iPXE + OS initiator sequence run against throwaway disks at start (0 = no warm-up). */
        @WithDefault("10")
        int rounds();
    }

    interface MachineDisks {
        /** How often the machines view is checked for specs that arrived, changed or went away (milliseconds). */
        @WithDefault("250")
        int pollMillis();

        /**
         * At most this many machine disks are opened ahead of a login (an open overlay keeps its map in
         * memory: 8 bytes per 64 KiB of disk); the others open at their first login. 0 = only at login.
         */
        @WithDefault("64")
        int openMax();
    }

    interface StaticTarget {
        /** Raw image file of LUN 0. */
        String image();

        /** Initiator IQNs allowed to log in; empty = anyone. */
        Optional<List<String>> initiator();

        /** CHAP user name; CHAP is required when chap-secret is set. */
        Optional<String> chapUser();

        Optional<String> chapSecret();

        /** Target's own CHAP name and secret for mutual CHAP. */
        Optional<String> mutualChapUser();

        Optional<String> mutualChapSecret();

        @WithDefault("false")
        boolean readOnly();
    }

    interface Limits {
        /** Our MaxRecvDataSegmentLength (RFC 7143 §13.12). */
        @WithDefault("262144")
        int maxRecvDataSegmentLength();

        @WithDefault("16776192")
        int maxBurstLength();

        @WithDefault("16776192")
        int firstBurstLength();

        @WithDefault("16")
        int maxOutstandingR2t();

        /** Commands the initiator may have outstanding (MaxCmdSN - ExpCmdSN + 1). */
        @WithDefault("128")
        int commandWindow();

        /** Largest ExpectedDataTransferLength accepted for a write (bytes). */
        @WithDefault("67108864")
        int maxWriteBytes();

        /**
         * A command of at most 64 KiB runs on the connection's reader thread (no hand-off to the I/O pool)
         * while at most this many commands are in flight on its connection; 1 = only when it is alone (QD1).
         */
        @WithDefault("1")
        int inlineMaxDepth();
    }
}
