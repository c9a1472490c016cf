package io.chainboot.events;

/** Which program sent a DHCP request: PXE firmware, iPXE (user class "iPXE"), or an operating system. */
public enum ClientKind {
    FIRMWARE,
    IPXE,
    OS
}
