package io.chainboot.e2e.harness;

/** How the QEMU guest network-boots. */
public enum Firmware {
    /** SeaBIOS with an e1000 NIC whose option ROM is iPXE (Debian ipxe-qemu): no TFTP stage. */
    BIOS,
    /** OVMF with a virtio-net NIC and no option ROM: OVMF's own PXE fetches ipxe.efi over TFTP. */
    UEFI;

    public String marker() {
        return this == BIOS ? BootImages.BIOS_MARKER : BootImages.UEFI_MARKER;
    }
}
