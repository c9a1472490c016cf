package io.chainboot.events;

import java.util.HashMap;
import java.util.Map;

/** Every boot event type with its stable wire name (the JSON {@code type} field). Names never change. */
public enum EventType {
    DHCP_OFFERED("dhcp.offered", DhcpEvents.Offered.class),
    DHCP_ACKED("dhcp.acked", DhcpEvents.Acked.class),
    DHCP_NAK("dhcp.nak", DhcpEvents.Nak.class),
    DHCP_DECLINED("dhcp.declined", DhcpEvents.Declined.class),
    DHCP_RELEASED("dhcp.released", DhcpEvents.Released.class),
    TFTP_STARTED("tftp.started", TftpEvents.Started.class),
    TFTP_COMPLETED("tftp.completed", TftpEvents.Completed.class),
    TFTP_FAILED("tftp.failed", TftpEvents.Failed.class),
    HTTP_COMPLETED("http.completed", HttpEvents.Completed.class),
    HTTP_FAILED("http.failed", HttpEvents.Failed.class),
    SCRIPT_RENDERED("script.rendered", ScriptEvents.Rendered.class),
    SCRIPT_FAILED("script.failed", ScriptEvents.Failed.class),
    ISCSI_LOGIN("iscsi.login", IscsiEvents.Login.class),
    ISCSI_LOGIN_REJECTED("iscsi.login-rejected", IscsiEvents.LoginRejected.class),
    ISCSI_LUN_ATTACHED("iscsi.lun.attached", IscsiEvents.LunAttached.class),
    ISCSI_LOGOUT("iscsi.logout", IscsiEvents.Logout.class),
    DISK_CREATED("disk.created", DiskEvents.Created.class),
    DISK_RESET("disk.reset", DiskEvents.Reset.class),
    DISK_PROMOTED("disk.promoted", DiskEvents.Promoted.class),
    MACHINE_REGISTERED("machine.registered", MachineEvents.Registered.class),
    MACHINE_UPDATED("machine.updated", MachineEvents.Updated.class),
    BOOT_STALLED("boot.stalled", BootStalled.class);

    private static final Map<String, EventType> BY_WIRE = new HashMap<>();
    private static final Map<Class<?>, EventType> BY_CLASS = new HashMap<>();

    static {
        for (EventType t : values()) {
            if (BY_WIRE.put(t.wireName, t) != null) {
                throw new ExceptionInInitializerError("duplicate event wire name " + t.wireName);
            }
            if (BY_CLASS.put(t.recordClass, t) != null) {
                throw new ExceptionInInitializerError("event class mapped twice: " + t.recordClass);
            }
        }
    }

    private final String wireName;
    private final Class<? extends BootEvent> recordClass;

    EventType(String wireName, Class<? extends BootEvent> recordClass) {
        this.wireName = wireName;
        this.recordClass = recordClass;
    }

    public String wireName() {
        return wireName;
    }

    public Class<? extends BootEvent> recordClass() {
        return recordClass;
    }

    public static EventType of(Class<?> recordClass) {
        EventType t = BY_CLASS.get(recordClass);
        if (t == null) {
            throw new IllegalArgumentException("not a boot event class: " + recordClass);
        }
        return t;
    }

    /** Null when unknown (a newer producer): callers decide whether to skip it. */
    public static EventType fromWire(String wireName) {
        return BY_WIRE.get(wireName);
    }

    @Override
    public String toString() {
        return wireName;
    }
}
