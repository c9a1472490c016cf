#!/bin/bash
# Boot storm (issue 14, part a): N real QEMU guests powered on at once (default 4 BIOS: e1000 with QEMU's
# iPXE option ROM; 2 UEFI: OVMF's own PXE -> TFTP ipxe.efi -> iPXE), each booting its iSCSI disk to a
# marker on COM1, first through the reference chain (dnsmasq DHCP+TFTP with its own router advertisements,
# python http.server, tgtd: /work/shared/reference/reference-boot-chain.sh, FAST=1), then through
# ./chainboot up --dhcp-mode full, in the same run and the same namespace. No radvd or any other RA helper
# for either: dnsmasq answers router solicitations itself (enable-ra), Chainboot with whatever it does.
#
#   bench/storm/qemu-storm.sh [BIOS_GUESTS] [UEFI_GUESTS]     (root; services packaged)
#   Env: ROUNDS=1 (storms per stack, alternating reference/chainboot), TIMEOUT=240 (s per guest),
#        ONLY=reference|chainboot, OUT=dir (default bench/storm/target/qemu-<time>),
#        STORMS=2 (storms per start of a stack: the first is the stack's first work after `up`, the
#        later ones hit a stack that has run before, as a stack in use does; printed apart),
#        CAPTURE=1 (a pcap of br0 per storm, $OUT/LABEL.pcap, to compare the two chains step by step)
# Prints power-on -> marker per guest, the median per firmware and the ratio, with the load average.
# It measures; it asserts no speed target.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIOS_N="${1:-4}"
UEFI_N="${2:-2}"
ROUNDS="${ROUNDS:-1}"
STORMS="${STORMS:-2}"
TIMEOUT="${TIMEOUT:-240}"
NS=cb-storm-q
SRV_IP=10.77.0.1
CTL_PORT=1477
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="${OUT:-$HERE/target/qemu-$STAMP}"
WORK="/tmp/cb-storm-q-$STAMP"
mkdir -p "$OUT" "$WORK"
log() { echo "[$(date -u +%T)] $*" | tee -a "$OUT/log.txt"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
nsx() { ip netns exec "$NS" "$@"; }

[[ "$(id -u)" == 0 ]] || { echo "run as root" >&2; exit 1; }
for t in bc qemu-system-x86_64 nasm sfdisk mkfs.vfat mmd mcopy dnsmasq tgtd tgtadm python3 curl jq; do
  command -v "$t" >/dev/null || { echo "missing $t (Debian: bc qemu-system-x86 ipxe-qemu ovmf nasm fdisk dosfstools mtools dnsmasq tgt python3 curl jq)" >&2; exit 1; }
done
for f in /usr/lib/ipxe/undionly.kpxe /usr/lib/ipxe/ipxe.efi /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_VARS_4M.fd; do
  [[ -e "$f" ]] || { echo "missing $f (Debian: ipxe ovmf)" >&2; exit 1; }
done

# ---------------------------------------------------------------- teardown (only what this script started)
CB_STATE=""
stop_reference() {
  if [[ -S /var/run/tgtd/socket.$CTL_PORT ]]; then
    tgtadm -C $CTL_PORT --lld iscsi --op delete --mode target --tid 1 --force >/dev/null 2>&1 || true
    tgtadm -C $CTL_PORT --lld iscsi --op delete --mode target --tid 2 --force >/dev/null 2>&1 || true
    tgtadm -C $CTL_PORT --op delete --mode system >/dev/null 2>&1 || true
    sleep 1
  fi
  for f in "$WORK"/ref-*.pid; do
    [[ -e "$f" ]] || continue
    kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
  sleep 0.5
  # nothing else runs in our namespace between the two stacks: whatever is left there is the reference's
  if ip netns list | grep -qw "$NS"; then
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -TERM "$p" 2>/dev/null || true; done
    sleep 1
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  fi
  rm -f /var/run/tgtd/socket.$CTL_PORT /var/run/tgtd/socket.$CTL_PORT.lock
}
stop_chainboot() {
  if [[ -n "$CB_STATE" ]]; then
    nsx "$ROOT/chainboot" down --state "$CB_STATE" >/dev/null 2>&1 || true
    CB_STATE=""
  fi
}
clean_ns() {
  if ip netns list | grep -qw "$NS"; then
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -TERM "$p" 2>/dev/null || true; done
    sleep 1
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$NS" 2>/dev/null || true
  fi
}
teardown() {
  stop_chainboot
  stop_reference
  clean_ns
  rm -rf "$WORK"
}
trap teardown EXIT
. "$ROOT/bench/lib/stack-cpu.sh"

# ---------------------------------------------------------------- disks (as e2e-tests' BootImages builds them)
SRC="$ROOT/e2e-tests/src/test/resources/boot"
nasm -f bin '-DMARKER="ISCSI-MBR-BOOTED"' -o "$WORK/mbr.bin" "$SRC/mbr.asm"
truncate -s 64M "$WORK/bios.img"
dd if="$WORK/mbr.bin" of="$WORK/bios.img" conv=notrunc status=none
nasm -f bin '-DMARKER="ISCSI-EFI-BOOTED"' -o "$WORK/BOOTX64.EFI" "$SRC/efiapp.asm"
truncate -s 64M "$WORK/uefi.img"
echo "start=2048, type=ef" | sfdisk -q "$WORK/uefi.img"
truncate -s $(( 64 * 1024 * 1024 - 2048 * 512 )) "$WORK/esp.img"
mkfs.vfat -F 16 -n ESP "$WORK/esp.img" >/dev/null
mmd -i "$WORK/esp.img" ::/EFI ::/EFI/BOOT
mcopy -i "$WORK/esp.img" "$WORK/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
dd if="$WORK/esp.img" of="$WORK/uefi.img" bs=512 seek=2048 conv=notrunc status=none

# ---------------------------------------------------------------- namespace: br0 + one tap per guest, no radvd
clean_ns
ip netns add "$NS"
nsx ip link set lo up
nsx ip link add br0 type bridge
nsx ip link set br0 type bridge forward_delay 0 stp_state 0
nsx ip addr add "$SRV_IP/24" dev br0
nsx sysctl -qw net.ipv6.conf.br0.accept_ra=0
nsx ip -6 addr add fd77::1/64 dev br0 nodad
GUESTS=()
for i in $(seq 0 $(( BIOS_N + UEFI_N - 1 ))); do
  nsx ip tuntap add dev "tap$i" mode tap
  nsx ip link set "tap$i" master br0
  nsx ip link set "tap$i" up
  if (( i < BIOS_N )); then GUESTS+=("bios:$(printf '52:54:00:5e:00:%02x' $((i + 1)))"); else GUESTS+=("uefi:$(printf '52:54:00:5e:00:%02x' $((i + 1)))"); fi
done
nsx ip link set br0 up

# ---------------------------------------------------------------- one storm: all guests powered on at once
# storm LABEL: prints "LABEL firmware mac seconds outcome" lines to $OUT/LABEL.txt
storm() {
  local label="$1" i fw mac dir
  local -a pids=() starts=()
  echo "$label start $(uptime)" >> "$OUT/load.txt"
  local cap=""
  if [[ "${CAPTURE:-}" == 1 ]]; then
    ip netns exec "$NS" dumpcap -q -i br0 -w "$OUT/$label.pcap" > "$OUT/$label.dumpcap.log" 2>&1 & cap=$!
    sleep 1
  fi
  for i in "${!GUESTS[@]}"; do
    fw="${GUESTS[$i]%%:*}"; mac="${GUESTS[$i]#*:}"
    dir="$WORK/$label-g$i"; mkdir -p "$dir"
    local -a q=(qemu-system-x86_64 -nographic -monitor none -serial "file:$dir/serial.log" -m 256 -no-reboot
                -accel tcg -boot n -netdev "tap,id=n0,ifname=tap$i,script=no,downscript=no")
    if [[ "$fw" == bios ]]; then
      q+=(-device "e1000,netdev=n0,mac=$mac")
    else
      cp /usr/share/OVMF/OVMF_VARS_4M.fd "$dir/OVMF_VARS.fd"
      q+=(-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=" -machine q35
          -drive "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd"
          -drive "if=pflash,format=raw,file=$dir/OVMF_VARS.fd")
    fi
    ip netns exec "$NS" "${q[@]}" > "$dir/qemu.log" 2>&1 &
    pids[$i]=$!
    starts[$i]=$(date +%s.%N)
  done
  local -a result=()
  local left=${#GUESTS[@]} now marker text
  while (( left > 0 )); do
    sleep 0.05
    for i in "${!GUESTS[@]}"; do
      [[ -n "${result[$i]:-}" ]] && continue
      fw="${GUESTS[$i]%%:*}"; mac="${GUESTS[$i]#*:}"; dir="$WORK/$label-g$i"
      [[ "$fw" == bios ]] && marker=ISCSI-MBR-BOOTED || marker=ISCSI-EFI-BOOTED
      now=$(date +%s.%N)
      local secs; secs=$(echo "$now - ${starts[$i]}" | bc)
      if grep -qa "$marker" "$dir/serial.log" 2>/dev/null; then
        result[$i]="$secs marker"
      elif grep -qaE "No bootable device|Could not boot|No more network devices|Boot failed: not a bootable disk|Could not open SAN device" "$dir/serial.log" 2>/dev/null; then
        result[$i]="$secs FAILED(firmware)"
      elif ! kill -0 "${pids[$i]}" 2>/dev/null; then
        result[$i]="$secs FAILED(qemu exited)"
      elif (( $(echo "$secs > $TIMEOUT" | bc) )); then
        result[$i]="$secs FAILED(timeout)"
      fi
      if [[ -n "${result[$i]:-}" ]]; then
        kill "${pids[$i]}" 2>/dev/null || true
        left=$(( left - 1 ))
        printf '%s %s %s %.2f %s\n' "$label" "$fw" "$mac" "${result[$i]% *}" "${result[$i]#* }" >> "$OUT/$label.txt"
        cp "$dir/serial.log" "$OUT/$label-g$i-serial.log" 2>/dev/null || true
      fi
    done
  done
  if [[ -n "$cap" ]]; then sleep 0.5; kill -INT "$cap" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  echo "$label end   $(uptime)" >> "$OUT/load.txt"
  cat "$OUT/$label.txt"
}

# ---------------------------------------------------------------- reference chain (reference-boot-chain.sh, FAST=1)
start_reference() {
  local R="$WORK/ref"
  mkdir -p "$R/tftp" "$R/www"
  cp /usr/lib/ipxe/undionly.kpxe "$R/tftp/"
  cp "$(readlink -f /usr/lib/ipxe/ipxe.efi)" "$R/tftp/ipxe.efi"
  for fw in bios uefi; do
    [[ "$fw" == bios ]] && tid=1 || tid=2
    cat > "$R/www/$fw.ipxe" <<EOF
#!ipxe
echo e2e: script loaded, running dhcp
dhcp
echo e2e: sanboot iscsi:${SRV_IP}:::1:iqn.2024-01.test.e2e:$fw
sanboot iscsi:${SRV_IP}:::1:iqn.2024-01.test.e2e:$fw
echo e2e: sanboot returned
EOF
  done
  cat > "$R/dnsmasq.conf" <<EOF
port=0
interface=br0
bind-interfaces
dhcp-range=10.77.0.100,10.77.0.200,255.255.255.0,1h
dhcp-leasefile=$R/leases
dhcp-authoritative
log-dhcp
log-facility=$R/dnsmasq-full.log
user=root
enable-tftp
tftp-root=$R/tftp
dhcp-userclass=set:ipxe,iPXE
dhcp-match=set:efi64,option:client-arch,7
dhcp-match=set:efi64,option:client-arch,9
dhcp-boot=tag:!ipxe,tag:efi64,ipxe.efi,,$SRV_IP
dhcp-boot=tag:!ipxe,tag:!efi64,undionly.kpxe,,$SRV_IP
dhcp-boot=tag:ipxe,tag:efi64,http://${SRV_IP}:8080/uefi.ipxe
dhcp-boot=tag:ipxe,tag:!efi64,http://${SRV_IP}:8080/bios.ipxe
no-ping
dhcp-option=tag:ipxe,encap:175,176,1b
enable-ra
dhcp-range=::,constructor:br0,ra-only,64,1h
EOF
  ip netns exec "$NS" dnsmasq --keep-in-foreground --conf-file="$R/dnsmasq.conf" > "$R/dnsmasq.log" 2>&1 & echo $! > "$WORK/ref-dnsmasq.pid"
  ip netns exec "$NS" python3 -m http.server --bind $SRV_IP --directory "$R/www" 8080 > "$R/http.log" 2>&1 & echo $! > "$WORK/ref-http.pid"
  mkdir -p /var/run/tgtd
  ip netns exec "$NS" tgtd -f -C $CTL_PORT --iscsi portal=$SRV_IP:3260 > "$R/tgtd.log" 2>&1 & echo $! > "$WORK/ref-tgtd.pid"
  local TA="tgtadm -C $CTL_PORT --lld iscsi"
  for _ in $(seq 1 100); do $TA --op show --mode target >/dev/null 2>&1 && break; sleep 0.1; done
  $TA --op new --mode target --tid 1 -T iqn.2024-01.test.e2e:bios
  $TA --op new --mode logicalunit --tid 1 --lun 1 -b "$WORK/bios.img"
  $TA --op bind --mode target --tid 1 -I ALL
  $TA --op new --mode target --tid 2 -T iqn.2024-01.test.e2e:uefi
  $TA --op new --mode logicalunit --tid 2 --lun 1 -b "$WORK/uefi.img"
  $TA --op bind --mode target --tid 2 -I ALL
  for _ in $(seq 1 100); do
    nsx ss -Hlnu | grep -q ":67 " && nsx ss -Hlnt | grep -q ":8080 " && nsx ss -Hlnt | grep -q ":3260 " && return 0
    sleep 0.1
  done
  echo "reference daemons are not listening" >&2; exit 1
}

# ---------------------------------------------------------------- Chainboot, as a user starts it
start_chainboot() {
  CB_STATE="$WORK/cb-state"
  rm -rf "$CB_STATE"
  local t0=$SECONDS
  nsx "$ROOT/chainboot" up --address $SRV_IP --interface br0 --dhcp-mode full --pool 10.77.0.100-10.77.0.200 \
    --state "$CB_STATE" --no-build > "$OUT/chainboot-up.txt" 2>&1 || { cat "$OUT/chainboot-up.txt"; exit 1; }
  log "./chainboot up in $(( SECONDS - t0 )) s"
  local token; token="$(cat "$CB_STATE/api-token")"
  mkdir -p "$CB_STATE/iscsi/disks"
  for g in "${GUESTS[@]}"; do
    local fw="${g%%:*}" mac="${g#*:}" img="storm-${g#*:}"
    img="storm-$(echo "$mac" | tr -d ':').img"
    cp --sparse=always "$WORK/$fw.img" "$CB_STATE/iscsi/disks/$img"
    nsx curl -sS -m 30 -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      --data-binary "{\"mac\":\"$mac\",\"hostname\":\"q$(echo "$mac" | tr -d ':' | tail -c 3)\",\"profile\":\"sanboot\",\"netboot\":true,\"disk\":{\"kind\":\"RAW\",\"image\":\"$img\"}}" \
      "http://$SRV_IP:8080/api/machines/$mac" | grep -qE '^20[01]$' || { echo "registering $mac failed" >&2; exit 1; }
  done
  # the specs must have reached script-service (and iscsi-service's 250 ms poll) before power-on
  for g in "${GUESTS[@]}"; do
    local mac="${g#*:}"
    for _ in $(seq 1 120); do
      nsx curl -s -m 5 "http://$SRV_IP:8081/api/preview/$mac" | grep -q 'set initiator-iqn' && break
      sleep 0.5
    done
  done
  sleep 1
}

# ---------------------------------------------------------------- the run
log "guests: ${GUESTS[*]}; rounds $ROUNDS; load $(load); git $(git -C "$ROOT" log --oneline -1)"
for r in $(seq 1 "$ROUNDS"); do
  if [[ "${ONLY:-}" != chainboot ]]; then
    start_reference
    log "round $r: reference (dnsmasq + http.server + tgtd) up; load $(load)"
    for k in $(seq 1 "$STORMS"); do
      (( k > 1 )) && sleep 3
      storm "reference-r$r-s$k" | tee -a "$OUT/log.txt"
    done
    stop_reference
  fi
  if [[ "${ONLY:-}" != reference ]]; then
    start_chainboot
    log "round $r: Chainboot up; load $(load)"
    for k in $(seq 1 "$STORMS"); do
      (( k > 1 )) && sleep 3
      STATE="$CB_STATE" cpu_snapshot "$WORK/cpu-before"
      storm "chainboot-r$r-s$k" | tee -a "$OUT/log.txt"
      STATE="$CB_STATE" cpu_snapshot "$WORK/cpu-after"
      { echo "chainboot-r$r-s$k CPU seconds per component during the storm:"
        cpu_delta "$WORK/cpu-before" "$WORK/cpu-after" | awk '{printf "  %-18s %6.2f s\n", $1, $2}'; } | tee -a "$OUT/cpu.txt"
    done
    cp -L "$CB_STATE"/logs/*.log "$OUT/" 2>/dev/null || true
    stop_chainboot
  fi
done

# ---------------------------------------------------------------- summary
# (ONLY= leaves one stack's files missing: cat's failure must not end the summary under pipefail)
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
set +o pipefail
{
  echo "power-on -> marker, all ${#GUESTS[@]} guests at once (TCG), medians over the rounds:"
  # which storms: s1 = the first after each start, later = s2.. on a stack that has booted machines before
  for which in all first later; do
    case $which in all) pat='-s[0-9]*'; what="every storm";; first) pat='-s1'; what="first storm after start";;
                   later) pat='-s[2-9]'; what="later storms, same stack";; esac
    (( STORMS < 2 )) && [[ $which != all ]] && continue
    echo " $what:"
    for fw in bios uefi; do
      ref="$(cat "$OUT"/reference-r*$pat.txt 2>/dev/null | awk -v f=$fw '$2==f && $5=="marker" {print $4}' | median)"
      cb="$(cat "$OUT"/chainboot-r*$pat.txt 2>/dev/null | awk -v f=$fw '$2==f && $5=="marker" {print $4}' | median)"
      reft="$(cat "$OUT"/reference-r*$pat.txt 2>/dev/null | awk -v f=$fw '$2==f {printf "%s%s ", $4, ($5=="marker"?"":"!")}')"
      cbt="$(cat "$OUT"/chainboot-r*$pat.txt 2>/dev/null | awk -v f=$fw '$2==f {printf "%s%s ", $4, ($5=="marker"?"":"!")}')"
      ratio="-"; [[ "$ref" != - && "$cb" != - ]] && ratio="$(echo "scale=2; $cb / $ref" | bc)x"
      printf '  %-4s reference %s(median %s s)  chainboot %s(median %s s)  ratio %s\n' "$fw" "$reft" "$ref" "$cbt" "$cb" "$ratio"
    done
  done
  echo "  (! = did not reach the marker: see the *.txt lines)"
  echo "failures: $(cat "$OUT"/*-r*.txt 2>/dev/null | awk '$5!="marker"' | wc -l)"
  cat "$OUT/load.txt"
  cat "$OUT/cpu.txt" 2>/dev/null || true
} | tee "$OUT/summary.txt"
