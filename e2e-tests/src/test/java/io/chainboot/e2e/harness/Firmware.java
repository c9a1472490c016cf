package io.chainboot.e2e.harness;

/** How the QEMU guest network-boots. */
public enum Firmware {
    /** SeaBIOS with an e1000 NIC whose option ROM is iPXE (Debian ipxe-qemu): no TFTP stage. */
    BIOS,
    /** OVMF with a virtio-net NIC and no option ROM: OVMF's own PXE fetches ipxe.efi over TFTP. */
    UEFI,
    /**
     * OVMF's UEFI HTTP Boot (IPv4): PXE turned off ({@code opt/org.tianocore/IPv4PXESupport=no}), a
     * virtio-rng (no network boot without an RNG), the NIC first in boot order; the firmware's DHCP
     * says {@code HTTPClient:Arch:00016} and it fetches the loader by the URL in option 67.
     */
    UEFI_HTTP,
    /**
     * OVMF with Secure Boot on: {@code OVMF_CODE_4M.secboot.fd} and a copy of {@code OVMF_VARS_4M.ms.fd}
     * (Microsoft's keys enrolled), SMM and secure pflash; it boots over PXE + TFTP like {@link #UEFI}
     * and runs only loaders signed by a key in db (shim, Debian's signed GRUB and kernel): never our
     * unsigned {@code ipxe.efi}.
     */
    UEFI_SECURE_BOOT;

    /** OVMF, whichever way it boots from the network. */
    public boolean uefi() {
        return this != BIOS;
    }

    public String marker() {
        return this == BIOS ? BootImages.BIOS_MARKER : BootImages.UEFI_MARKER;
    }
}
