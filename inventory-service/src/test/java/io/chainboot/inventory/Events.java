package io.chainboot.inventory;

import io.chainboot.events.BootEvent;
import io.chainboot.events.BootStage;
import io.chainboot.events.BootStalled;
import io.chainboot.events.ClientKind;
import io.chainboot.events.DhcpEvents;
import io.chainboot.events.EventSource;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.IscsiEvents;
import io.chainboot.events.MacAddress;
import io.chainboot.events.ScriptEvents;
import io.chainboot.events.TftpEvents;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Synthetic boot events as the other services publish them. */
public final class Events {
    public static final EventSource DHCP = new EventSource("dhcp-service", "t");
    public static final EventSource TFTP = new EventSource("tftp-service", "t");
    public static final EventSource SCRIPT = new EventSource("script-service", "t");
    public static final EventSource ISCSI = new EventSource("iscsi-service", "t");

    private Events() {
    }

    public static DhcpEvents.Offered offered(MacAddress mac, Ipv4Address ip, ClientKind kind, Instant t) {
        return new DhcpEvents.Offered(UUID.randomUUID(), t, DHCP, mac, ip, kind, 0,
                kind == ClientKind.FIRMWARE ? "PXEClient:Arch:00000:UNDI:002001" : "iPXE", "0b5a1e2c-0000-4000-8000-000000000001",
                kind == ClientKind.FIRMWARE ? "undionly.kpxe" : "http://boot/boot.ipxe", "full", 3600);
    }

    public static DhcpEvents.Acked acked(MacAddress mac, Ipv4Address ip, ClientKind kind, Instant t) {
        return new DhcpEvents.Acked(UUID.randomUUID(), t, DHCP, mac, ip, kind, 0, null, null,
                kind == ClientKind.FIRMWARE ? "undionly.kpxe" : "http://boot/boot.ipxe", "full", 3600, null);
    }

    public static TftpEvents.Completed tftp(MacAddress mac, Ipv4Address ip, Instant t) {
        return new TftpEvents.Completed(UUID.randomUUID(), t, TFTP, mac, ip, "undionly.kpxe", 70000, 120, 1432, 1, 0);
    }

    public static TftpEvents.Failed tftpFailed(MacAddress mac, Ipv4Address ip, Instant t) {
        return new TftpEvents.Failed(UUID.randomUUID(), t, TFTP, mac, ip, "undionly.kpxe", "file not found", 0);
    }

    public static ScriptEvents.Rendered script(MacAddress mac, Ipv4Address ip, String profile, Instant t) {
        return new ScriptEvents.Rendered(UUID.randomUUID(), t, SCRIPT, mac, ip, profile, null, "i386", "pcbios", 900);
    }

    /** A script that says whether it attaches a SAN (null: a publisher older than that field). */
    public static ScriptEvents.Rendered script(MacAddress mac, Ipv4Address ip, String profile, Instant t, Boolean attachesSan) {
        return new ScriptEvents.Rendered(UUID.randomUUID(), t, SCRIPT, mac, ip, profile, null, "i386", "pcbios", 900, attachesSan);
    }

    public static IscsiEvents.Login login(MacAddress mac, Ipv4Address ip, Instant t, int tsih) {
        return new IscsiEvents.Login(UUID.randomUUID(), t, ISCSI, mac, ip, "iqn.init:" + mac.toHex(), "iqn.target:" + mac.toHex(),
                IscsiEvents.SessionType.NORMAL, tsih);
    }

    /** A login with its ISID: {@code "400027230000"} is iPXE's, {@code "00023d000001"} open-iscsi's. */
    public static IscsiEvents.Login login(MacAddress mac, Ipv4Address ip, Instant t, int tsih, String isid) {
        return new IscsiEvents.Login(UUID.randomUUID(), t, ISCSI, mac, ip, "iqn.init:" + mac.toHex(), "iqn.target:" + mac.toHex(),
                IscsiEvents.SessionType.NORMAL, tsih, isid);
    }

    public static IscsiEvents.LunAttached lun(MacAddress mac, Ipv4Address ip, Instant t) {
        return new IscsiEvents.LunAttached(UUID.randomUUID(), t, ISCSI, mac, ip, "iqn.init:" + mac.toHex(),
                "iqn.target:" + mac.toHex(), 0, 2048, 512);
    }

    public static IscsiEvents.LoginRejected rejected(MacAddress mac, Ipv4Address ip, Instant t) {
        return new IscsiEvents.LoginRejected(UUID.randomUUID(), t, ISCSI, mac, ip, "iqn.init", "iqn.target",
                "authentication failed", 2, 1);
    }

    /** A complete BIOS chain: firmware DHCP, TFTP, iPXE DHCP, script, SAN, the OS's own login. */
    public static List<BootEvent> fullBoot(MacAddress mac, Ipv4Address ip, Instant t0, String profile) {
        return List.of(
                offered(mac, ip, ClientKind.FIRMWARE, t0),
                acked(mac, ip, ClientKind.FIRMWARE, t0.plusMillis(100)),
                tftp(mac, ip, t0.plusMillis(400)),
                offered(mac, ip, ClientKind.IPXE, t0.plusMillis(900)),
                acked(mac, ip, ClientKind.IPXE, t0.plusMillis(1000)),
                script(mac, ip, profile, t0.plusMillis(1200)),
                login(mac, ip, t0.plusMillis(1500), 1),
                lun(mac, ip, t0.plusMillis(1600)),
                login(mac, ip, t0.plusMillis(9000), 2));
    }

    /**
     * Any mix of one machine's chain events within 8 s of {@code t0} — tied times, failures, repeated
     * logins, stall verdicts naming earlier events — in no particular order.
     */
    public static List<BootEvent> randomTimeline(java.util.Random random, MacAddress mac, Ipv4Address ip, Instant t0, int n) {
        List<BootEvent> events = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            Instant t = t0.plusSeconds(random.nextInt(8));
            BootEvent e = switch (random.nextInt(12)) {
                case 0 -> offered(mac, ip, ClientKind.FIRMWARE, t);
                case 1 -> acked(mac, ip, ClientKind.FIRMWARE, t);
                case 2 -> acked(mac, ip, ClientKind.IPXE, t);
                case 3 -> tftp(mac, ip, t);
                case 4 -> tftpFailed(mac, ip, t);
                case 5 -> script(mac, ip, "p" + random.nextInt(2), t, new Boolean[]{null, true, false}[random.nextInt(3)]);
                case 6, 7 -> login(mac, ip, t, i);
                case 8 -> lun(mac, ip, t);
                case 9 -> rejected(mac, ip, t);
                case 10 -> offered(mac, ip, ClientKind.IPXE, t);
                default -> new BootStalled(UUID.randomUUID(), t, new EventSource("inventory-service", "t"), mac, ip,
                        BootStage.values()[random.nextInt(4)], t0, 60,
                        events.isEmpty() ? UUID.randomUUID().toString() : events.get(random.nextInt(events.size())).id().toString());
            };
            events.add(e);
        }
        return events;
    }
}
