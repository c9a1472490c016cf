#!/bin/bash
# chainboot demo: watch a diskless machine network-boot through Chainboot.
#
# Creates a private network namespace (nothing touches your LAN), starts Chainboot in it with the
# same launcher as `./chainboot up` (full DHCP on a private bridge), registers one machine with
# the sanboot profile and a 64 MiB disk whose boot sector prints a greeting, powers on a QEMU BIOS
# guest (e1000, iPXE ROM) and shows its console live, while the dashboard — forwarded to
# http://127.0.0.1:$DEMO_PORT/ on this machine — shows the machine move through the stages.
# Press Enter at the end (or Ctrl-C at any time) to tear everything down (QEMU, Chainboot, the
# namespace).
#
#   ./chainboot demo           interactive: Enter powers the machine on, Enter at the end stops
#   ./chainboot demo --once    unattended: boots at once, checks that the dashboard's API on this host
#                              shows the machine SAN_ATTACHED, tears down; exit 0 only if all that worked
#   --no-build                 passed to ./chainboot up (never run Maven; the tests use it)
#
# Needs root and: qemu-system-x86 ipxe-qemu nasm curl python3 (UEFI: ovmf dosfstools mtools fdisk).
# Env: DEMO_PORT (default 18080), DEMO_STATE (default /tmp/chainboot-demo), DEMO_FIRMWARE=bios|uefi
set -u
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
NS="cb-demo-$$"
STATE="${DEMO_STATE:-/tmp/chainboot-demo}"
PORT="${DEMO_PORT:-18080}"
FW="${DEMO_FIRMWARE:-bios}"
MAC=52:54:00:77:de:01
WORK="$STATE/demo"
PIDS=()

say() { printf '\033[1mdemo:\033[0m %s\n' "$*"; }
die() { say "$*" >&2; exit 1; }

ONCE=0
UP_EXTRA=()
for a in "$@"; do
  case "$a" in
    --once) ONCE=1 ;;
    --no-build) UP_EXTRA+=(--no-build) ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $a (--once, --no-build)" ;;
  esac
done

teardown() {
  trap - EXIT INT TERM
  say "tearing down"
  local p
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$p" 2>/dev/null; done
  if ip netns list 2>/dev/null | grep -qw "^$NS"; then
    ip netns exec "$NS" "$ROOT/chainboot" down --state "$STATE" >/dev/null 2>&1
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
    sleep 1
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$NS"
  fi
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
}

[[ "$(id -u)" == 0 ]] || die "run as root (network namespace, tap device)"
for b in qemu-system-x86_64 nasm curl python3 ip; do
  command -v "$b" >/dev/null || die "missing $b (apt-get install qemu-system-x86 ipxe-qemu ovmf nasm curl)"
done
# never wipe a directory that is not a previous demo's state
if [[ -e "$STATE" && -n "$(ls -A "$STATE" 2>/dev/null)" && ! -d "$STATE/demo" ]]; then
  die "$STATE exists and is not a demo state directory; set DEMO_STATE to another path"
fi
if [[ -f "$STATE/run/supervisor.pid" ]] && kill -0 "$(cat "$STATE/run/supervisor.pid")" 2>/dev/null; then
  die "a demo is already running with state $STATE (supervisor pid $(cat "$STATE/run/supervisor.pid"))"
fi
trap teardown EXIT
trap 'exit 130' INT TERM
rm -rf "$STATE"; mkdir -p "$WORK"
nsx() { ip netns exec "$NS" "$@"; }

say "creating network namespace $NS: bridge br0 10.77.0.1/24 (IPv6 router solicitations are answered by dhcp-service)"
ip netns add "$NS" || die "ip netns add failed"
nsx ip link set lo up
nsx ip link add br0 type bridge
nsx ip link set br0 type bridge forward_delay 0 stp_state 0
nsx ip addr add 10.77.0.1/24 dev br0
nsx ip link set br0 up

say "starting Chainboot: ./chainboot up --address 10.77.0.1 --interface br0 --dhcp-mode full --pool 10.77.0.100-10.77.0.200 --state $STATE"
nsx "$ROOT/chainboot" up --address 10.77.0.1 --interface br0 --dhcp-mode full --pool 10.77.0.100-10.77.0.200 \
  --state "$STATE" "${UP_EXTRA[@]+"${UP_EXTRA[@]}"}" </dev/null || die "Chainboot did not start (logs in $STATE/logs)"

# the guest's tap joins the bridge after `up`: the launcher wants br0 to have carrier when it starts
nsx ip tuntap add dev tap0 mode tap
nsx ip link set tap0 master br0
nsx ip link set tap0 up

python3 "$ROOT/e2e-tests/demo/netns-forward.py" "$NS" "$PORT" 10.77.0.1 8080 2>"$WORK/forward.log" &
FPID=$!
PIDS+=($FPID)
for _ in $(seq 1 50); do
  curl -s -o /dev/null -m 2 "http://127.0.0.1:$PORT/" && break
  kill -0 "$FPID" 2>/dev/null || die "cannot forward 127.0.0.1:$PORT to the dashboard (port in use? set DEMO_PORT): $(tail -n1 "$WORK/forward.log")"
  sleep 0.2
done

say "building the machine's disk (nasm boot sector) and registering it through the inventory API"
mkdir -p "$STATE/iscsi/disks"
if [[ "$FW" == uefi ]]; then
  MARKER=ISCSI-EFI-BOOTED
  nasm -f bin -DMARKER="\"$MARKER\"" -o "$WORK/BOOTX64.EFI" "$ROOT/e2e-tests/src/test/resources/boot/efiapp.asm" || die "nasm failed"
  DISK="$STATE/iscsi/disks/demo.img"; rm -f "$DISK"; truncate -s 64M "$DISK"
  echo 'start=2048, type=ef' | sfdisk -q "$DISK"
  truncate -s $(( (131072-2048)*512 )) "$WORK/esp.img"
  mkfs.vfat -F 16 -n ESP "$WORK/esp.img" >/dev/null && mmd -i "$WORK/esp.img" ::/EFI ::/EFI/BOOT \
    && mcopy -i "$WORK/esp.img" "$WORK/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI || die "ESP build failed (dosfstools, mtools)"
  dd if="$WORK/esp.img" of="$DISK" bs=512 seek=2048 conv=notrunc status=none
else
  MARKER="HELLO-FROM-CHAINBOOT-ISCSI-DISK"
  nasm -f bin -DMARKER="\"$MARKER\"" -o "$WORK/mbr.bin" "$ROOT/e2e-tests/src/test/resources/boot/mbr.asm" || die "nasm failed"
  DISK="$STATE/iscsi/disks/demo.img"; rm -f "$DISK"; truncate -s 64M "$DISK"
  dd if="$WORK/mbr.bin" of="$DISK" conv=notrunc bs=512 count=1 status=none
fi
TOKEN="$(cat "$STATE/api-token")"
SPEC="{\"mac\":\"$MAC\",\"hostname\":\"demo\",\"profile\":\"sanboot\",\"netboot\":true,\"disk\":{\"kind\":\"RAW\",\"image\":\"demo.img\"}}"
code=$(nsx curl -s -o "$WORK/register.out" -w '%{http_code}' -X PUT -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' --data-binary "$SPEC" "http://10.77.0.1:8080/api/machines/$MAC")
[[ "$code" == 2* ]] || die "registering the machine failed: HTTP $code $(cat "$WORK/register.out")"
for _ in $(seq 1 60); do
  nsx curl -sf "http://10.77.0.1:8081/api/preview/$MAC" 2>/dev/null | grep -q sanboot && break; sleep 0.5
done

echo
if [[ "$ONCE" == 1 ]]; then
  say "dashboard: http://127.0.0.1:$PORT/"
else
  say "dashboard: http://127.0.0.1:$PORT/   (open it now, then press Enter to power the machine on)"
  read -r -t 120 _ || true
fi

say "powering on a QEMU $FW machine ($MAC), console below"
QARGS=(-nographic -monitor none -serial "file:$WORK/serial.log" -m 256 -no-reboot -accel tcg -boot n
       -netdev tap,id=n0,ifname=tap0,script=no,downscript=no)
if [[ "$FW" == uefi ]]; then
  cp /usr/share/OVMF/OVMF_VARS_4M.fd "$WORK/OVMF_VARS.fd"
  QARGS+=(-device "virtio-net-pci,netdev=n0,mac=$MAC,romfile=" -machine q35
          -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
          -drive "if=pflash,format=raw,file=$WORK/OVMF_VARS.fd")
else
  QARGS+=(-device "e1000,netdev=n0,mac=$MAC")
fi
: > "$WORK/serial.log"
nsx qemu-system-x86_64 "${QARGS[@]}" </dev/null >"$WORK/qemu.log" 2>&1 &
PIDS+=($!)
QPID=$!
tail -f "$WORK/serial.log" &
PIDS+=($!)
T0=$SECONDS
while ! grep -qa "$MARKER" "$WORK/serial.log"; do
  kill -0 "$QPID" 2>/dev/null || { say "QEMU exited"; break; }
  (( SECONDS - T0 > 180 )) && { say "no marker after 180 s"; break; }
  sleep 0.2
done
sleep 0.5
kill "$QPID" 2>/dev/null
echo
BOOTED=0
grep -qa "$MARKER" "$WORK/serial.log" && BOOTED=1
if [[ "$BOOTED" == 1 ]]; then
  say "the machine booted its iSCSI disk in $(( SECONDS - T0 )) s"
else
  say "the machine did not boot (serial console: $WORK/serial.log, logs: $STATE/logs)"
fi
say "timeline: http://127.0.0.1:$PORT/   API: curl -H \"Authorization: Bearer \$(cat $STATE/api-token)\" http://127.0.0.1:$PORT/api/machines/$MAC/boots"
if [[ "$ONCE" == 1 ]]; then
  # the stages travelled dhcp/script/iscsi -> Kafka -> inventory -> PostgreSQL, seen through the forwarded port
  SEEN=0
  for _ in $(seq 1 60); do
    curl -s -m 5 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/machines/$MAC/boots?limit=1" \
      > "$WORK/boots.json" 2>/dev/null && grep -q '"SAN_ATTACHED"' "$WORK/boots.json" && { SEEN=1; break; }
    sleep 0.5
  done
  if [[ "$SEEN" == 1 ]]; then
    say "the dashboard's API shows the boot: $(cat "$WORK/boots.json")"
  else
    STAGES=(IPXE_DHCP SCRIPT SAN_ATTACHED)
    [[ "$FW" == uefi ]] && STAGES=(PXE_DHCP FIRMWARE_LOADED IPXE_DHCP SCRIPT SAN_ATTACHED)
    for st in "${STAGES[@]}"; do
      grep -q "\"$st\"" "$WORK/boots.json" 2>/dev/null || { say "the boot chain stopped at $st"; break; }
    done
    say "the dashboard's API does not show SAN_ATTACHED for $MAC: $(cat "$WORK/boots.json" 2>/dev/null)"
  fi
  [[ "$BOOTED" == 1 && "$SEEN" == 1 ]] && exit 0
  exit 1
fi
say "press Enter to stop Chainboot and remove the namespace"
read -r _ || true
[[ "$BOOTED" == 1 ]]
