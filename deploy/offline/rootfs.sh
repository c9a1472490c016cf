#!/usr/bin/env bash
# deploy/offline/rootfs.sh NAME — a Debian 12 root filesystem (tar) for the offline base image NAME
# (jre, postgres, edge), built once and cached by content; prints the tar's path.
#
#   debootstrap --variant=minbase bookworm  (cached alone as base-<key>.tar)
#   + apt-get install --no-install-recommends <NAME/packages> inside the rootfs (chroot), with
#     services kept from starting (policy-rc.d) and no PostgreSQL cluster created
#   - apt lists, caches, docs, man pages
#
# Cache: $CHAINBOOT_COMPOSE_CACHE (default /var/cache/chainboot/compose)/NAME-<key>.tar, key = the
# first 16 hex of sha256(this script + NAME/packages): a second run with the same inputs only prints
# the path. Concurrent runs wait for each other (flock). Packages come from $MIRROR (default
# http://deb.debian.org/debian) and $SECURITY_MIRROR (http://deb.debian.org/debian-security).
# Needs (Debian): debootstrap, root. Nothing is started: no daemon runs in the build's chroot.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NAME=${1:?usage: rootfs.sh NAME (a directory of $HERE with a packages file)}
PACKAGES_FILE="$HERE/$NAME/packages"
[[ -f $PACKAGES_FILE ]] || { echo "rootfs: no $PACKAGES_FILE" >&2; exit 2; }
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
SUITE=bookworm
CACHE=${CHAINBOOT_COMPOSE_CACHE:-/var/cache/chainboot/compose}

base_key=$(sha256sum < "$HERE/rootfs.sh" | cut -c1-16)
key=$(cat "$HERE/rootfs.sh" "$PACKAGES_FILE" | sha256sum | cut -c1-16)
OUT="$CACHE/$NAME-$key.tar"
BASE="$CACHE/base-$base_key.tar"
if [[ -f $OUT ]]; then
    echo "rootfs $NAME: cached $OUT ($(du -m "$OUT" | cut -f1) MiB)" >&2
    echo "$OUT"; exit 0
fi
[[ "$(id -u)" == 0 ]] || { echo "rootfs: must run as root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "rootfs: missing debootstrap — apt-get install debootstrap" >&2; exit 1; }

mkdir -p "$CACHE/debootstrap"
exec 9>"$CACHE/.lock"
flock 9
if [[ -f $OUT ]]; then   # built by a concurrent run while this one waited
    echo "$OUT"; exit 0
fi

T0=$SECONDS
WORK="$CACHE/.build-$NAME-$key-$$"
ROOT="$WORK/root"
mounted=()
cleanup() {
    local i
    for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
    mounted=()
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$ROOT"

if [[ ! -f $BASE ]]; then
    echo "rootfs: debootstrap --variant=minbase $SUITE from $MIRROR" >&2
    mkdir -p "$WORK/base"
    debootstrap --variant=minbase --cache-dir="$CACHE/debootstrap" "$SUITE" "$WORK/base" "$MIRROR" \
        > "$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
    rm -rf "$WORK/base/var/cache/apt/archives/"*.deb "$WORK/base/var/lib/apt/lists/"*
    tar --numeric-owner -C "$WORK/base" -cf "$BASE.tmp" .
    mv "$BASE.tmp" "$BASE"
    rm -rf "$WORK/base"
    echo "rootfs: base $BASE after $((SECONDS - T0)) s" >&2
fi
tar --numeric-owner -C "$ROOT" -xf "$BASE"

packages=$(grep -v '^\s*#' "$PACKAGES_FILE" | grep -v '^\s*$' | tr '\n' ' ')
echo "rootfs $NAME: apt-get install $packages" >&2
cat > "$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
# no service may start inside the chroot (it would run in this machine's network namespace)
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
# the postgres image's entry point creates its cluster in $PGDATA on first start
mkdir -p "$ROOT/etc/postgresql-common/createcluster.d"
echo 'create_main_cluster = false' > "$ROOT/etc/postgresql-common/createcluster.d/00-chainboot.conf"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"; mounted+=("$ROOT/proc")
export DEBIAN_FRONTEND=noninteractive
chroot "$ROOT" apt-get -q update > "$WORK/apt.log" 2>&1 || { tail -20 "$WORK/apt.log" >&2; exit 1; }
# shellcheck disable=SC2086  # one word per package
chroot "$ROOT" apt-get -q install -y --no-install-recommends $packages >> "$WORK/apt.log" 2>&1 \
    || { tail -30 "$WORK/apt.log" >&2; exit 1; }
chroot "$ROOT" apt-get clean
umount "$ROOT/proc"; mounted=()
rm -f "$ROOT/usr/sbin/policy-rc.d"
: > "$ROOT/etc/resolv.conf"
rm -rf "$ROOT/var/lib/apt/lists/"* "$ROOT/var/cache/apt/"*.bin "$ROOT/var/log/"*.log "$ROOT/var/log/apt/"* \
    "$ROOT/usr/share/doc/"* "$ROOT/usr/share/man/"* "$ROOT/usr/share/info/"* "$ROOT/tmp/"*
tar --numeric-owner -C "$ROOT" -cf "$OUT.tmp" .
mv "$OUT.tmp" "$OUT"
echo "rootfs $NAME: built $OUT ($(du -m "$OUT" | cut -f1) MiB) in $((SECONDS - T0)) s" >&2
echo "$OUT"
