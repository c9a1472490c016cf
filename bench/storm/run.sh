#!/bin/bash
# Boot storm (issue 14, parts b and c): N simulated machines power on within a window and each runs the
# real chain (DHCP DORA with PXE options -> TFTP undionly.kpxe blksize 1468 -> iPXE DHCP -> HTTP script
# -> iSCSI login + READ of the first 8 MiB -> OS-initiator login) against Chainboot started exactly as a
# user starts it: ./chainboot up --dhcp-mode full inside a network namespace (Kafka, PostgreSQL with
# fsync on, inventory storing every event). See README.md for the network design.
#
#   bench/storm/run.sh [MACHINES] [WINDOW_SECONDS]      (root; services packaged: ./mvnw -DskipTests package)
#      default 1000 machines within 10 s.  Env: OUT=dir (default bench/storm/target/run-<time>),
#      KEEP=1 leaves the stack and namespaces up for a look (then: bench/storm/run.sh --cleanup)
#
# It measures and prints (summary.txt, result.tsv, checks.txt in OUT); it asserts no speed target.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SRV=cb-storm-srv
CLI=cb-storm-cli
SERVER_IP=10.77.0.1
CLIENT_IP=10.77.0.2
POOL_NET=10.77.16.0/20          # AnyIP in the client namespace: every leased address is local there
POOL=10.77.16.1-10.77.31.254
IMAGE=storm-golden
STATE_BASE=/tmp/cb-storm

cleanup() {
  if [[ -n "${STATE:-}" && -x "$ROOT/chainboot" ]] && ip netns list | grep -qw "$SRV"; then
    ip netns exec "$SRV" "$ROOT/chainboot" down --state "$STATE" >/dev/null 2>&1 || true
  fi
  for ns in "$CLI" "$SRV"; do
    if ip netns list | grep -qw "$ns"; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
      sleep 1
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
  # the run's Kafka/PostgreSQL data and overlays (logs were copied to OUT)
  [[ -n "${STATE:-}" && "$STATE" == "$STATE_BASE"/state-* ]] && rm -rf "$STATE"
  return 0
}

if [[ "${1:-}" == "--cleanup" ]]; then
  STATE="$(ls -d "$STATE_BASE"/state-* 2>/dev/null | tail -n1 || true)"
  cleanup
  exit 0
fi

N="${1:-1000}"
WINDOW="${2:-10}"
[[ "$(id -u)" == 0 ]] || { echo "run as root (network namespaces)" >&2; exit 1; }
for t in ip java javac curl jq psql; do
  command -v "$t" >/dev/null || { echo "missing $t (Debian packages: iproute2 openjdk-17-jdk-headless curl jq postgresql-client)" >&2; exit 1; }
done
for m in dhcp-service tftp-service script-service iscsi-service inventory-service; do
  [[ -f "$ROOT/$m/target/quarkus-app/quarkus-run.jar" ]] || { echo "$m is not packaged: ./mvnw -DskipTests package first" >&2; exit 1; }
done
(( N <= 4094 )) || { echo "at most 4094 machines (the pool is $POOL)" >&2; exit 1; }

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="${OUT:-$HERE/target/run-$STAMP-n$N}"
mkdir -p "$OUT" "$STATE_BASE"
STATE="$STATE_BASE/state-$STAMP"
CLASSES="$STATE_BASE/classes"
log() { echo "[$(date -u +%T)] $*" | tee -a "$OUT/log.txt"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
[[ "${KEEP:-0}" == 1 ]] || trap cleanup EXIT

javac -d "$CLASSES" "$HERE/Storm.java"

log "namespaces $SRV (br0 $SERVER_IP/16, ./chainboot up) and $CLI (eth0 $CLIENT_IP/16 + AnyIP $POOL_NET)"
cleanup
ip netns add "$SRV"
ip netns add "$CLI"
ip -n "$SRV" link set lo up
ip -n "$SRV" link add br0 type bridge
ip -n "$SRV" link set br0 type bridge forward_delay 0 stp_state 0
ip -n "$SRV" addr add "$SERVER_IP/16" dev br0
ip -n "$SRV" link set br0 up
ip -n "$SRV" link add vstorm type veth peer name eth0 netns "$CLI"
ip -n "$SRV" link set vstorm master br0
ip -n "$SRV" link set vstorm up
ip -n "$CLI" link set lo up
ip -n "$CLI" addr add "$CLIENT_IP/16" dev eth0
ip -n "$CLI" link set eth0 up
# the limited broadcast 255.255.255.255 needs a route out of eth0
ip -n "$CLI" route add default dev eth0
# every pool address is local in the client namespace (AnyIP): a machine's sockets bind to the address
# DHCP gave it and the kernel answers ARP for it
ip -n "$CLI" route add local "$POOL_NET" dev lo
# The server's neighbour table: the ARP table is one kernel table shared by every namespace
# (gc_thresh3 = $(sysctl -n net.ipv4.neigh.default.gc_thresh3) entries on this host, for everyone), so
# N machines behind one veth would overflow it for the whole host. Permanent entries do not count
# against gc_thresh (Linux >= 4.19), so the pool's entries are pre-seeded: the one piece of the
# client's L2 that is not learned live. The client's own MAC answers for all of them anyway.
CLI_MAC="$(ip -n "$CLI" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')"
python3 - "$CLI_MAC" > "$STATE_BASE/neigh.batch" <<'EOF'
import sys, ipaddress
for a in ipaddress.ip_network("10.77.16.0/20").hosts():
    print(f"neigh replace {a} lladdr {sys.argv[1]} dev br0 nud permanent")
EOF
ip -n "$SRV" -batch "$STATE_BASE/neigh.batch"

log "load before up: $(load)"
t_up=$SECONDS
ip netns exec "$SRV" "$ROOT/chainboot" up --address "$SERVER_IP" --interface br0 --dhcp-mode full \
  --pool "$POOL" --netmask 255.255.0.0 --state "$STATE" --no-build > "$OUT/up.txt" 2>&1 \
  || { cat "$OUT/up.txt"; exit 1; }
log "./chainboot up: $(( SECONDS - t_up )) s; load $(load)"
TOKEN="$(cat "$STATE/api-token")"
srv_curl() { ip netns exec "$SRV" curl -sS -m 60 "$@"; }

# iscsi-service imports only from its import directory, through the entry point with the admin token
mkdir -p "$STATE/iscsi/import"
GOLDEN="$STATE/iscsi/import/storm-golden.raw"
CRC="$(java -cp "$CLASSES" Storm golden --file "$GOLDEN")"
srv_curl -o "$OUT/image.json" -w '%{http_code}\n' -X POST -H "Authorization: Bearer $TOKEN" \
  "http://$SERVER_IP:8080/api/images/$IMAGE?path=storm-golden.raw" | grep -q '^201$' \
  || { echo "image import failed: $(cat "$OUT/image.json")" >&2; exit 1; }
log "golden image imported (64 MiB, CRC of the first 8 MiB $CRC)"

log "registering $N machines through the inventory API (sanboot, OVERLAY on $IMAGE)"
ip netns exec "$SRV" java -cp "$CLASSES" Storm register --inventory "http://$SERVER_IP:8080" --token "$TOKEN" \
  --image "$IMAGE" --machines "$N" | tee -a "$OUT/log.txt"
LAST_MAC="$(java -cp "$CLASSES" Storm mac --machines "$N" 2>/dev/null || true)"
# the specs travel inventory -> Kafka -> script/dhcp/iscsi views: wait until the last one is renderable
for i in $(seq 1 240); do
  srv_curl "http://$SERVER_IP:8081/api/preview/$LAST_MAC" 2>/dev/null | grep -q 'set initiator-iqn' && break
  sleep 0.5
done
srv_curl "http://$SERVER_IP:8081/api/preview/$LAST_MAC" | grep -q 'set initiator-iqn' || { echo "spec of $LAST_MAC never reached script-service" >&2; exit 1; }
sleep 3   # iscsi-service polls its machines view every 250 ms
log "specs propagated; load $(load)"

# CPU of every process before/after (clock ticks): which one the storm loads
. "$ROOT/bench/lib/stack-cpu.sh"
cpu_snapshot "$OUT/cpu-before"
snmp() { ip netns exec "$SRV" awk '/^Udp:/{if(h){print "UdpRcvbufErrors="$6" UdpInErrors="$4}; h=1}' /proc/net/snmp; }
echo "before: $(snmp)" > "$OUT/udp.txt"

log "storm: $N machines within $WINDOW s; load $(load)"
uptime > "$OUT/uptime-start"
ip netns exec "$CLI" java -Xss256k -Xms256m -Xmx1536m -XX:+UseParallelGC -cp "$CLASSES" Storm run --server "$SERVER_IP" \
  --machines "$N" --window-ms $(( WINDOW * 1000 )) --golden-crc "$CRC" --out "$OUT" | tee "$OUT/storm.txt"
uptime > "$OUT/uptime-end"
cpu_snapshot "$OUT/cpu-after"
echo "after:  $(snmp)" >> "$OUT/udp.txt"
# per-socket drop counters (skmem d) of the server's UDP sockets still open (DHCP 67, TFTP 69)
ip netns exec "$SRV" ss -Huanm | paste - - | awk '{d=$0; sub(/.*,d/, "", d); sub(/\).*/, "", d); if (d+0 > 0) print "  " $4 " dropped " d}' > "$OUT/udp-socket-drops.txt" || true
log "storm done; load $(load)"

# ---------------------------------------------------------------- what the stack recorded
PGPASS="$(cat "$STATE"/postgres/password 2>/dev/null || cat "$(find "$STATE" -maxdepth 3 -name password | head -n1)")"
psqlq() { ip netns exec "$SRV" env PGPASSWORD="$PGPASS" psql -h 127.0.0.1 -p 5433 -U chainboot -d chainboot -At -F $'\t' -c "$1"; }
metric() { srv_curl "http://$SERVER_IP:$1/q/metrics" | awk -v m="$2" '$1==m || index($1, m"{")==1 {s+=$2} END {printf "%d\n", s}'; }
published_total() {
  local s=0
  for port in 8082 8083 8081 8084; do s=$(( s + $(metric "$port" chainboot_events_published_total) )); done
  echo "$s"
}
# wait until inventory stored everything the services published (or 120 s)
# (published read before and after the count: equal and matching the rows = nothing was in flight)
for i in $(seq 1 120); do
  pub="$(published_total)"
  stored="$(psqlq "select count(*) from boot_event where source not like 'inventory%'")"
  [[ "$stored" -ge "$pub" && "$(published_total)" == "$pub" ]] && break
  sleep 1
done
{
  echo "events published by dhcp/tftp/script/iscsi (chainboot_events_published_total): $pub"
  echo "events stored by inventory (boot_event rows from those services):             $stored"
  echo "events dropped by publishers (chainboot_events_dropped_total): $(( $(metric 8082 chainboot_events_dropped_total) + $(metric 8083 chainboot_events_dropped_total) + $(metric 8081 chainboot_events_dropped_total) + $(metric 8084 chainboot_events_dropped_total) ))"
  echo "duplicates skipped by inventory (chainboot_inventory_events_duplicate_total): $(metric 8080 chainboot_inventory_events_duplicate_total)"
  echo "stored events of the simulated machines (02:cb:…) by type:"
  psqlq "select type, count(*) from boot_event where mac like '02:cb:%' group by type order by type" | sed 's/^/  /'
  echo "simulator saw: $(tr '\n' ' ' < "$OUT/observed.tsv")"
  echo "uncorrelated (no MAC) events: $(psqlq "select count(*) from boot_event where mac is null")"
  echo "(mac, type) pairs stored more often than the chain produces them (tftp.completed, script.rendered >1; iscsi.login >2):"
  psqlq "select type, count(*) from (select mac, type, count(*) c from boot_event where mac like '02:cb:%' group by mac, type) x
         where (type in ('tftp.completed','script.rendered','tftp.started') and c > 1) or (type in ('iscsi.login','iscsi.logout') and c > 2)
         group by type" | sed 's/^/  /'
  echo "inventory's latest stage of the simulated machines (GET /api/machines):"
  srv_curl -H "Authorization: Bearer $TOKEN" "http://$SERVER_IP:8080/api/machines" > "$OUT/machines.json"
  jq -r '[.[] | select(.mac | startswith("02:cb:"))] | group_by(.stage // .latest.stage // "none") | map("  \(.[0].stage // .[0].latest.stage // "none") \(length)") | .[]' "$OUT/machines.json"
  echo "machines with an iPXE DHCP ACK stored after their first iSCSI login (the server's late answer to a retransmitted REQUEST;"
  echo "since bc1ed16 inventory keeps it in the attempt it answers): $(psqlq "select count(distinct a.mac) from boot_event a join
      (select mac, min(time) t from boot_event where type = 'iscsi.login' group by mac) l on a.mac = l.mac
      where a.type = 'dhcp.acked' and a.payload like '%\"client\":\"IPXE\"%' and a.time > l.t")"
  echo "iSCSI sessions still open on the target (GET /iscsi/sessions): $(srv_curl "http://$SERVER_IP:8084/iscsi/sessions" | jq 'length')"
  echo "TCP connections still established on port 3260: $(ip netns exec "$SRV" ss -Htn state established '( sport = :3260 )' | wc -l)"
  echo "tftp transfers: $(srv_curl "http://$SERVER_IP:8083/q/metrics" | grep '^chainboot_tftp_transfers_total' | sed 's/chainboot_tftp_transfers_total//' | tr '\n' ' ')"
  echo "iscsi logins refused: $(metric 8084 chainboot_iscsi_logins_refused_total)"
  echo "DHCP leases active: $(metric 8082 chainboot_dhcp_leases_active); dropped requests: $(metric 8082 chainboot_dhcp_dropped_total); lease publications dropped: $(metric 8082 chainboot_dhcp_leases_dropped_total)"
  echo "server namespace UDP: $(tr '\n' ' ' < "$OUT/udp.txt")"
  echo "UDP sockets with receive-buffer drops:"; cat "$OUT/udp-socket-drops.txt"
  echo "CPU seconds during the storm (utime+stime, process and children):"
  cpu_delta "$OUT/cpu-before" "$OUT/cpu-after" | awk '{printf "  %-18s %7.1f s\n", $1, $2}'
  echo "load: start $(cat "$OUT/uptime-start")"
  echo "      end   $(cat "$OUT/uptime-end")"
} | tee "$OUT/checks.txt"
for f in "$STATE"/logs/*.log; do cp -L "$f" "$OUT/" 2>/dev/null || true; done
log "results in $OUT"
