#!/bin/bash
# The same storm as run.sh against the classic chain (the peer): dnsmasq (DHCP + TFTP, as in
# /work/shared/reference/reference-boot-chain.sh FAST=1, plus the two limits a 1,000-machine LAN needs:
# dhcp-lease-max and tftp-max, whose defaults are 1,000 and 50), python3 http.server with one script per
# MAC, tgtd with one target per machine (LUN 1 = the same 64 MiB golden image, as Chainboot's overlays
# read it). Same namespaces, veth, AnyIP and simulator as run.sh (see README.md).
#   bench/storm/peer.sh [MACHINES] [WINDOW_SECONDS]     (root)
# It measures and prints; no inventory exists here, so only the client-side figures and CPU are compared.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
SRV=cb-storm-srv
CLI=cb-storm-cli
SERVER_IP=10.77.0.1
CTL_PORT=1478
N="${1:-1000}"
WINDOW="${2:-10}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="${OUT:-$HERE/target/peer-$STAMP-n$N}"
WORK=/tmp/cb-storm-peer-$STAMP
CLASSES=/tmp/cb-storm/classes
mkdir -p "$OUT" "$WORK/tftp" "$WORK/www" /var/run/tgtd
log() { echo "[$(date -u +%T)] $*" | tee -a "$OUT/log.txt"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
[[ "$(id -u)" == 0 ]] || { echo "run as root" >&2; exit 1; }
for t in dnsmasq tgtd tgtadm python3 java javac; do command -v $t >/dev/null || { echo "missing $t (Debian: dnsmasq tgt python3 openjdk-17-jdk-headless)" >&2; exit 1; }; done

cleanup() {
  if [[ -S /var/run/tgtd/socket.$CTL_PORT ]]; then
    tgtadm -C $CTL_PORT --op delete --mode system >/dev/null 2>&1 || true
    sleep 1
  fi
  for ns in "$CLI" "$SRV"; do
    if ip netns list | grep -qw "$ns"; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
      sleep 1
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
  rm -f /var/run/tgtd/socket.$CTL_PORT /var/run/tgtd/socket.$CTL_PORT.lock
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$CLASSES"
javac -d "$CLASSES" "$HERE/Storm.java"

# ---- the same network as run.sh
for ns in "$CLI" "$SRV"; do ip netns list | grep -qw "$ns" && { echo "$ns exists: bench/storm/run.sh --cleanup" >&2; exit 1; }; done
ip netns add "$SRV"; ip netns add "$CLI"
ip -n "$SRV" link set lo up
ip -n "$SRV" link add br0 type bridge
ip -n "$SRV" link set br0 type bridge forward_delay 0 stp_state 0
ip -n "$SRV" addr add "$SERVER_IP/16" dev br0
ip -n "$SRV" link set br0 up
ip -n "$SRV" link add vstorm type veth peer name eth0 netns "$CLI"
ip -n "$SRV" link set vstorm master br0
ip -n "$SRV" link set vstorm up
ip -n "$CLI" link set lo up
ip -n "$CLI" addr add 10.77.0.2/16 dev eth0
ip -n "$CLI" link set eth0 up
ip -n "$CLI" route add default dev eth0
ip -n "$CLI" route add local 10.77.16.0/20 dev lo
CLI_MAC="$(ip -n "$CLI" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')"
python3 - "$CLI_MAC" > "$WORK/neigh.batch" <<'EOF'
import sys, ipaddress
for a in ipaddress.ip_network("10.77.16.0/20").hosts():
    print(f"neigh replace {a} lladdr {sys.argv[1]} dev br0 nud permanent")
EOF
ip -n "$SRV" -batch "$WORK/neigh.batch"

# ---- content: boot file, golden image, one script per MAC
cp /usr/lib/ipxe/undionly.kpxe "$WORK/tftp/"
CRC="$(java -cp "$CLASSES" Storm golden --file "$WORK/golden.img")"
python3 - "$N" "$WORK/www" <<'EOF'
import sys
n, www = int(sys.argv[1]), sys.argv[2]
for i in range(1, n + 1):
    mac = "02-cb-%02x-%02x-%02x-%02x" % ((i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255)
    with open(f"{www}/{mac}.ipxe", "w") as f:
        f.write(f"#!ipxe\nset initiator-iqn iqn.2024-01.test.e2e:init-{mac}\nsanboot iscsi:10.77.0.1:::1:iqn.2024-01.test.e2e:storm{i}\n")
EOF
cat > "$WORK/dnsmasq.conf" <<EOF
port=0
interface=br0
bind-interfaces
dhcp-range=10.77.16.1,10.77.31.254,255.255.0.0,1h
dhcp-leasefile=$WORK/leases
dhcp-authoritative
dhcp-lease-max=5000
log-dhcp
log-facility=$OUT/dnsmasq-dhcp.log
enable-tftp
tftp-root=$WORK/tftp
tftp-max=5000
dhcp-userclass=set:ipxe,iPXE
dhcp-boot=tag:!ipxe,undionly.kpxe,,$SERVER_IP
dhcp-boot=tag:ipxe,http://$SERVER_IP:8080/\${mac:hexhyp}.ipxe
no-ping
dhcp-option=tag:ipxe,encap:175,176,1b
user=root
EOF
ip netns exec "$SRV" dnsmasq --keep-in-foreground --conf-file="$WORK/dnsmasq.conf" > "$OUT/dnsmasq.log" 2>&1 &
echo "dnsmasq $!" > "$WORK/pids"
ip netns exec "$SRV" python3 -m http.server --bind $SERVER_IP --directory "$WORK/www" 8080 > "$OUT/http.log" 2>&1 &
echo "http.server $!" >> "$WORK/pids"
ip netns exec "$SRV" tgtd -f -C $CTL_PORT --iscsi portal=$SERVER_IP:3260 > "$OUT/tgtd.log" 2>&1 &
echo "tgtd $!" >> "$WORK/pids"
TA="tgtadm -C $CTL_PORT --lld iscsi"
for _ in $(seq 1 100); do $TA --op show --mode target >/dev/null 2>&1 && break; sleep 0.1; done
t0=$SECONDS
for i in $(seq 1 "$N"); do
  $TA --op new --mode target --tid "$i" -T "iqn.2024-01.test.e2e:storm$i"
  $TA --op new --mode logicalunit --tid "$i" --lun 1 -b "$WORK/golden.img"
  $TA --op bind --mode target --tid "$i" -I ALL
done
log "peer up: dnsmasq, http.server, tgtd with $N targets (tgtadm: $(( SECONDS - t0 )) s)"
sleep 2

cpu() { while read -r name pid; do echo "$name $(awk '{print $14+$15}' /proc/$pid/stat)"; done < "$WORK/pids"; }
cpu > "$OUT/cpu-before"
uptime > "$OUT/uptime-start"
log "storm: $N machines within $WINDOW s; load $(load)"
ip netns exec "$CLI" java -Xss256k -Xms256m -Xmx1536m -XX:+UseParallelGC -cp "$CLASSES" Storm run --server "$SERVER_IP" \
  --machines "$N" --window-ms $(( WINDOW * 1000 )) --golden-crc "$CRC" --out "$OUT" | tee "$OUT/storm.txt"
uptime > "$OUT/uptime-end"
cpu > "$OUT/cpu-after"
{
  echo "CPU seconds during the storm:"
  join <(sort "$OUT/cpu-before") <(sort "$OUT/cpu-after") | awk '{printf "  %-12s %7.1f s\n", $1, ($3-$2)/100}'
  echo "tgtd sessions left: $($TA --op show --mode target | grep -c 'I_T nexus:' || true)"
  echo "leases: $(wc -l < "$WORK/leases" 2>/dev/null || echo 0)"
  echo "load: start $(cat "$OUT/uptime-start")"
  echo "      end   $(cat "$OUT/uptime-end")"
} | tee "$OUT/checks.txt"
