#!/usr/bin/env bash
# images/debian-12/build.sh — build Chainboot's Debian 12 golden image (a bootable raw disk) from
# Debian packages, with no loop device and no network configuration inside the image.
#
#   sudo images/debian-12/build.sh            build (or take from the cache) and print the image path
#   sudo images/debian-12/build.sh --print    print the cached image's path if it exists, else exit 1
#
# The disk: MBR, one ext4 partition at 1 MiB holding the whole system; GRUB (i386-pc, BIOS) in
# the MBR gap; kernel command line "root=UUID=… rw console=ttyS0,115200 edd=off" (no ip=: the
# initramfs takes the network from the iBFT that iPXE's sanboot/sanhook leaves).
# Inside: linux-image-amd64, open-iscsi (initramfs with ISCSI_AUTO=true, so `iscsistart -b` logs
# in from the iBFT; iscsid takes that session over after the switch to the root), a small initrd
# (MODULES=list), the serial console, no DHCP client (the NIC stays as the initramfs left it),
# an empty machine-id, and two units: chainboot-identity (first boot: hostname from DHCP or the boot NIC's
# MAC, iSCSI initiator name from the iBFT) and chainboot-marker (prints "CHAINBOOT-OS-UP …" on ttyS0).
#
# Cache: the image is a pure function of this script, ./packages and ./files/, so it is stored in
# $CHAINBOOT_IMAGE_CACHE/debian-12-<sha256 of those, 16 hex>/disk.img (default cache
# /var/cache/chainboot/images); a second run with the same inputs only prints the path. Packages
# are downloaded once into $CHAINBOOT_IMAGE_CACHE/debootstrap (debootstrap --cache-dir).
# Env: MIRROR (default http://deb.debian.org/debian), DISK_MIB (default 1536).
# Needs (Debian): debootstrap grub-pc-bin e2fsprogs fdisk coreutils; root.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
CACHE=${CHAINBOOT_IMAGE_CACHE:-/var/cache/chainboot/images}
DISK_MIB=${DISK_MIB:-1536}
PART_START=2048                                   # sectors: partition at 1 MiB

key=$( { cat "$HERE/build.sh" "$HERE/packages"; echo "disk=$DISK_MIB"
         (cd "$HERE/files" && for f in $(ls | sort); do echo "$f"; cat "$f"; done) ; } \
       | sha256sum | cut -c1-16)
OUT="$CACHE/debian-12-$key"
if [[ -f "$OUT/disk.img" && -f "$OUT/disk.img.sha256" ]]; then
    echo "debian-12: cached image $OUT/disk.img ($(du -m --apparent-size "$OUT/disk.img" | cut -f1) MiB, sha256 $(cut -c1-16 "$OUT/disk.img.sha256")…)" >&2
    echo "$OUT/disk.img"; exit 0
fi
[[ "${1:-}" == --print ]] && { echo "debian-12: no cached image for key $key in $CACHE" >&2; exit 1; }

[[ "$(id -u)" == 0 ]] || { echo "debian-12: must run as root (debootstrap, chroot)" >&2; exit 1; }
need() { command -v "$1" >/dev/null || { echo "debian-12: missing $1 — apt-get install $2" >&2; exit 1; }; }
need debootstrap debootstrap; need grub-mkimage grub-pc-bin; need mke2fs e2fsprogs
need sfdisk fdisk
[[ -f /usr/lib/grub/i386-pc/boot.img ]] || { echo "debian-12: missing /usr/lib/grub/i386-pc — apt-get install grub-pc-bin" >&2; exit 1; }

T0=$SECONDS
STEPS=7; step=0
progress() { step=$((step + 1)); printf '[%d/%d %4ds] %s\n' "$step" "$STEPS" "$((SECONDS - T0))" "$*" >&2; }

mkdir -p "$CACHE/debootstrap"
WORK="$CACHE/.build-$key-$$"
ROOT="$WORK/root"
mkdir -p "$ROOT"
mounted=()
cleanup() {
    local m
    for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
    mounted=()
    rm -rf "$WORK"
}
trap cleanup EXIT

include=$(grep -v '^\s*#' "$HERE/packages" | grep -v '^\s*$' | paste -sd, -)
progress "debootstrap $SUITE from $MIRROR: $include"
debootstrap --variant=minbase --include="$include" --cache-dir="$CACHE/debootstrap" \
    "$SUITE" "$ROOT" "$MIRROR" 2>&1 | grep --line-buffered -E '^(I: (Retrieving|Validating|Extracting|Installing|Configuring|Base system))|^E:|^W:' \
    | awk '/^I: Retrieving/{r++; if (r%20==0) {print "    downloaded " r " packages"; fflush()} next}
           /^I: Validating/{next}
           /^I: Extracting/{x++; if (x%20==0) {print "    extracted " x " packages"; fflush()} next}
           /^I: Configuring/{c++; if (c%20==0) {print "    configured " c " packages"; fflush()} next} {print "    " $0; fflush()}' >&2
[[ -x "$ROOT/usr/bin/systemctl" && -d "$ROOT/boot" ]] || { echo "debian-12: debootstrap failed" >&2; exit 1; }

progress "configure: open-iscsi initramfs (ISCSI_AUTO), MODULES=list, units, identity reset"
UUID=$(cat /proc/sys/kernel/random/uuid)
echo 'ISCSI_AUTO=true' > "$ROOT/etc/iscsi/iscsi.initramfs"
sed -i 's/^MODULES=.*/MODULES=list/; s/^#\?COMPRESS=.*/COMPRESS=zstd/' "$ROOT/etc/initramfs-tools/initramfs.conf"
printf '%s\n' e1000 e1000e virtio_pci virtio_net sd_mod ext4 crc32c_intel >> "$ROOT/etc/initramfs-tools/modules"
printf 'UUID=%s / ext4 errors=remount-ro 0 0\n' "$UUID" > "$ROOT/etc/fstab"
echo debian > "$ROOT/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$ROOT/etc/hosts"
: > "$ROOT/etc/machine-id"                                   # systemd makes each machine its own
rm -f "$ROOT/var/lib/dbus/machine-id"
printf 'InitiatorName=iqn.2004-10.com.example:chainboot-golden-unset\n' > "$ROOT/etc/iscsi/initiatorname.iscsi"
install -m 0755 "$HERE/files/chainboot-identity" "$HERE/files/chainboot-marker" "$ROOT/usr/local/sbin/"
install -m 0644 "$HERE/files/chainboot-identity.service" "$HERE/files/chainboot-marker.service" "$ROOT/etc/systemd/system/"
mkdir -p "$ROOT/etc/systemd/system/sysinit.target.wants" "$ROOT/etc/systemd/system/multi-user.target.wants"
ln -sf ../chainboot-identity.service "$ROOT/etc/systemd/system/sysinit.target.wants/"
ln -sf ../chainboot-marker.service "$ROOT/etc/systemd/system/multi-user.target.wants/"
# nothing in the image may reconfigure the NIC the root disk is reached through, nor wait on it
for u in systemd-networkd.service systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer \
         e2scrub_all.timer e2scrub_reap.service fstrim.timer; do
    ln -sf /dev/null "$ROOT/etc/systemd/system/$u"
done
mkdir -p "$ROOT/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=16M\n' > "$ROOT/etc/systemd/journald.conf.d/chainboot.conf"
passwd_root_locked=$(chroot "$ROOT" passwd -l root 2>&1 || true)

progress "trim: docs, man pages, locales, apt lists, kernel modules no machine here needs"
rm -rf "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* "$ROOT"/usr/share/locale/* \
       "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/log/*.log
KVER=$(basename "$(ls -d "$ROOT"/lib/modules/* | head -1)")
M="$ROOT/lib/modules/$KVER/kernel"
rm -rf "$M"/drivers/gpu "$M"/drivers/media "$M"/drivers/net/wireless "$M"/drivers/infiniband "$M"/sound \
       "$M"/drivers/staging "$M"/drivers/bluetooth "$M"/net/wireless "$M"/net/mac80211 "$M"/net/bluetooth \
       "$M"/drivers/isdn "$M"/drivers/iio "$M"/drivers/input/touchscreen "$M"/drivers/hid "$M"/drivers/usb/gadget \
       "$M"/drivers/net/ethernet/{mellanox,chelsio,qlogic,broadcom,marvell,netronome,sfc,cavium,huawei,emulex,amazon,google,microsoft} \
       "$M"/fs/{btrfs,xfs,ocfs2,gfs2,nfs,nfsd,ceph,cifs,smbfs,f2fs,ntfs3,jfs,reiserfs,bcachefs}
chroot "$ROOT" depmod "$KVER"

progress "initramfs: update-initramfs -u (open-iscsi hook, MODULES=list)"
for m in proc sys dev; do mount --bind "/$m" "$ROOT/$m"; mounted+=("$ROOT/$m"); done
chroot "$ROOT" update-initramfs -u -k "$KVER" >&2
for ((i=${#mounted[@]}-1; i>=0; i--)); do umount "${mounted[$i]}"; done; mounted=()
INITRD="boot/initrd.img-$KVER"; VMLINUZ="boot/vmlinuz-$KVER"
[[ -f "$ROOT/$INITRD" && -f "$ROOT/$VMLINUZ" ]] || { echo "debian-12: no kernel/initrd in /boot" >&2; exit 1; }
echo "    kernel $KVER, initrd $(du -k "$ROOT/$INITRD" | cut -f1) KiB" >&2

progress "GRUB (i386-pc, serial console) into /boot/grub"
mkdir -p "$ROOT/boot/grub/i386-pc"
cp /usr/lib/grub/i386-pc/*.mod /usr/lib/grub/i386-pc/*.lst "$ROOT/boot/grub/i386-pc/"
cat > "$ROOT/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
menuentry 'Debian 12 (Chainboot diskless)' {
    echo 'grub: loading linux $KVER'
    linux /$VMLINUZ root=UUID=$UUID rw console=ttyS0,115200 edd=off
    initrd /$INITRD
}
CFG
rm -rf "$ROOT/var/cache/apt/archives/partial" "$ROOT/tmp/"*

progress "disk: ${DISK_MIB} MiB, MBR partition at 1 MiB, ext4 from the tree (mke2fs -d, no loop device)"
DISK="$WORK/disk.img"
truncate -s "${DISK_MIB}M" "$DISK"
echo "start=$PART_START, type=83, bootable" | sfdisk -q "$DISK"
FS_BYTES=$(( DISK_MIB * 1024 * 1024 - PART_START * 512 ))
mke2fs -q -F -t ext4 -U "$UUID" -L debian-root -E offset=$((PART_START * 512)) -d "$ROOT" \
    "$DISK" "$((FS_BYTES / 1024))k"
grub-mkimage -O i386-pc -o "$WORK/core.img" -p '(hd0,msdos1)/boot/grub' \
    biosdisk part_msdos ext2 normal linux echo serial terminal search search_fs_uuid
CORE_SECTORS=$(( ($(stat -c %s "$WORK/core.img") + 511) / 512 ))
(( CORE_SECTORS < PART_START - 1 )) || { echo "debian-12: core.img too big ($CORE_SECTORS sectors)" >&2; exit 1; }
dd if=/usr/lib/grub/i386-pc/boot.img of="$DISK" bs=440 count=1 conv=notrunc status=none
dd if="$WORK/core.img" of="$DISK" bs=512 seek=1 conv=notrunc status=none

progress "checksum and store in $OUT"
SUM=$(sha256sum "$DISK" | cut -d' ' -f1)
mkdir -p "$OUT"
mv "$DISK" "$OUT/disk.img.part"
echo "$SUM" > "$OUT/disk.img.sha256"
printf 'kernel=%s\nroot_uuid=%s\nbuilt=%s\nmirror=%s\n' "$KVER" "$UUID" "$(date -u +%FT%TZ)" "$MIRROR" > "$OUT/info"
mv "$OUT/disk.img.part" "$OUT/disk.img"
echo "debian-12: built $OUT/disk.img in $((SECONDS - T0)) s: ${DISK_MIB} MiB apparent, $(du -m "$OUT/disk.img" | cut -f1) MiB allocated, sha256 ${SUM:0:16}…" >&2
echo "$OUT/disk.img"
