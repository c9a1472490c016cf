#!/usr/bin/env bash
# images/debian-12/boot-files.sh — the kernel and initrd of the Debian 12 golden image, for the `linux`
# profile (kernel + initrd over HTTP from script-service's assets, root on the machine's own iSCSI disk
# through `sanhook`: the same image, no GRUB).
#
#   sudo images/debian-12/boot-files.sh               build the image if needed, print the directory
#                                                    holding vmlinuz, initrd.img and cmdline
#   sudo images/debian-12/boot-files.sh --into DIR    also copy those three files into DIR (e.g.
#                                                    state/assets/debian-12)
#
# They are read out of the image's ext4 (/boot/vmlinuz-<kernel>, /boot/initrd.img-<kernel>) with
# debugfs (no loop device, no mount) into <image dir>/boot/, next to disk.img in the image's
# content-keyed cache directory (see build.sh): a second run only prints the path. `cmdline` is the
# kernel command line the image's GRUB uses (root by the filesystem's UUID, serial console, edd=off).
# Needs (Debian): e2fsprogs (debugfs), and what build.sh needs when the image is not cached yet.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INTO=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --into) [[ $# -ge 2 ]] || { echo "debian-12: --into needs a directory" >&2; exit 2; }; INTO=$2; shift 2 ;;
        *) echo "usage: $0 [--into DIR]" >&2; exit 2 ;;
    esac
done
command -v debugfs >/dev/null || { echo "debian-12: missing debugfs — apt-get install e2fsprogs" >&2; exit 1; }

DISK=$("$HERE/build.sh" | tail -1)
OUT=$(dirname "$DISK")
BOOT="$OUT/boot"
PART_OFFSET=$((2048 * 512))                       # build.sh: the ext4 partition starts at 1 MiB
if [[ ! -f "$BOOT/vmlinuz" || ! -f "$BOOT/initrd.img" || ! -f "$BOOT/cmdline" ]]; then
    KVER=$(sed -n 's/^kernel=//p' "$OUT/info"); UUID=$(sed -n 's/^root_uuid=//p' "$OUT/info")
    [[ -n "$KVER" && -n "$UUID" ]] || { echo "debian-12: $OUT/info names no kernel or root UUID" >&2; exit 1; }
    TMP="$OUT/.boot-$$"
    trap 'rm -rf "$TMP"' EXIT
    mkdir -p "$TMP"
    for f in "vmlinuz-$KVER:vmlinuz" "initrd.img-$KVER:initrd.img"; do
        debugfs -R "dump /boot/${f%%:*} $TMP/${f##*:}" "$DISK?offset=$PART_OFFSET" 2>/dev/null
        [[ -s "$TMP/${f##*:}" ]] || { echo "debian-12: /boot/${f%%:*} is not in $DISK" >&2; exit 1; }
    done
    echo "root=UUID=$UUID rw console=ttyS0,115200 edd=off" > "$TMP/cmdline"
    rm -rf "$BOOT"
    mv "$TMP" "$BOOT"
    trap - EXIT
    echo "debian-12: kernel $KVER and its initrd read out of the image into $BOOT" >&2
fi
if [[ -n "$INTO" ]]; then
    mkdir -p "$INTO"
    cp "$BOOT/vmlinuz" "$BOOT/initrd.img" "$BOOT/cmdline" "$INTO/"
    echo "debian-12: vmlinuz, initrd.img and cmdline copied into $INTO" >&2
fi
echo "$BOOT"
