#!/bin/bash
# DHCP capacity of the deployed stack: perfdhcp (Debian kea-admin) against Chainboot started exactly
# as a user starts it (`./chainboot up --dhcp-mode full`: Kafka on, inventory storing every event in
# PostgreSQL with fsync on), then kea-dhcp4 (memfile, persist=true) in the same run, over a veth
# pair between two namespaces (cb-dhcp-stack-s: server 10.214.0.1/16, cb-dhcp-stack-c: perfdhcp).
# After the load it waits until the inventory has stored what it will store and counts every
# dhcp.acked of the run in PostgreSQL against the ACKs dhcp-service says it sent.
# Run as root, by hand (not part of the test suite), services packaged:
#   ./mvnw -q -B -DskipTests package && [RATES="250 500 1000 2000"] [PERIOD=10] bench/dhcp/stack.sh
# Needs: kea-admin (perfdhcp), kea-dhcp4-server, postgresql-client (psql), iproute2, curl, a JDK 17.
# CLIENTS=plain|pxe: plain DHCP clients (default) or PXE firmware (see below).
# Prints one line per rate and server (a first "cold" round at WARMUP_RATE, default 500/s, then the
# RATES), the load average beside it, and the stored/sent count.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
RATES=(${RATES:-250 500 1000 2000})
# one round at WARMUP_RATE first, for each server, printed as "cold": a JVM stack's first seconds
# (JIT, first connections, first inserts) are a figure of their own, not the capacity (0: none)
WARMUP_RATE=${WARMUP_RATE:-500}
PERIOD=${PERIOD:-10}
# CLIENTS=plain (default): perfdhcp's own DISCOVERs, a plain DHCP client's (the inventory stores their
# events but registers no machine for them); CLIENTS=pxe: each also carries what a PXE ROM sends
# (option 60 PXEClient:Arch:00000:UNDI:002001, 93 arch 0, 94 UNDI 2.1), so every client is a machine
# netbooting: registered on first sight, its spec published to every service's view
CLIENTS=${CLIENTS:-plain}
case $CLIENTS in
  plain) CLIENT_OPTIONS=() ;;
  pxe) CLIENT_OPTIONS=(-o 60,505845436c69656e743a417263683a30303030303a554e44493a303032303031 -o 93,0000 -o 94,010201) ;;
  *) echo "CLIENTS must be plain or pxe"; exit 2 ;;
esac
# NETNS=<prefix>: other namespace names (default cb-dhcp-stack), for a second run beside another's
S=${NETNS:-cb-dhcp-stack}-s
C=${NETNS:-cb-dhcp-stack}-c
if ip netns list | grep -qE "^($S|$C)( |\$)"; then
  # never clean up (kill everything in) a namespace another session's run is using
  echo "netns $S or $C exists: another stack.sh is running (or a dead run left it: ip netns del $S $C); NETNS=<prefix> picks other names"
  exit 1
fi
OUT=$(mktemp -d /tmp/cb-dhcp-stack.XXXXXX)
STATE=$OUT/state
SERVER_PID=""
UP=0

cleanup() {
  [ "$UP" = 1 ] && ip netns exec $S "$ROOT/chainboot" down --state "$STATE" >/dev/null 2>&1 || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  ip netns pids $S 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del $S 2>/dev/null || true
  ip netns del $C 2>/dev/null || true
}
trap cleanup EXIT

for b in perfdhcp kea-dhcp4 psql curl; do
  command -v $b >/dev/null || { echo "missing $b (apt-get install kea-admin kea-dhcp4-server postgresql-client curl)"; exit 1; }
done
. bench/dhcp/lib.sh
. bench/lib/stack-cpu.sh
netns_pair $S $C cbdstack

load() { cut -d' ' -f1-3 /proc/loadavg; }
rcvbuf_errors() { ip netns exec ${1:-$S} nstat -az UdpRcvbufErrors 2>/dev/null | awk '/UdpRcvbufErrors/{print $2}'; }

# cpu_line NAME RATE SECONDS-LIST DORA/s: where the CPU of one run went, and per DORA exchange
cpu_line() {
  local name=$1 rate=$2 list=$3 dora=$4
  awk -v n="$name" -v r="$rate" -v d="$dora" -v p="$PERIOD" '
    {cpu[$1] = $2; total += $2; order[NR] = $1}
    END {
      line = sprintf("%-14s target %5s/s  CPU s:", n, r)
      for (i = 1; i <= NR; i++) line = line sprintf(" %s %.2f", order[i], cpu[order[i]])
      per = (d + 0 > 0) ? sprintf("%.0f", total * 1e6 / (d * p)) : "?"
      printf "%s  total %.2f = %s us per DORA\n", line, total, per
    }' <<< "$list"
}

run_perfdhcp() { # name, rate[, label]
  local name=$1 rate=$2 label=${3:-$1} f="$OUT/${3:-$1}-$2.txt" kea_ticks_before=0
  if [ "$name" = chainboot ]; then cpu_snapshot "$OUT/cpu-before"; thread_snapshot dhcp-service "$OUT/threads-before"; else kea_ticks_before=$(awk '{print $14+$15}' /proc/$SERVER_PID/stat); fi
  local before; before=$(rcvbuf_errors)
  local cbefore; cbefore=$(rcvbuf_errors $C)
  ip netns exec $C perfdhcp -4 -l eth0 -r "$rate" -p "$PERIOD" -R 60000 -d 2 "${CLIENT_OPTIONS[@]}" > "$f" 2>&1 || true
  local dora sent d1 d2 after
  read -r dora sent d1 d2 < <(perfdhcp_stats "$f")
  after=$(rcvbuf_errors)
  local cafter; cafter=$(rcvbuf_errors $C)
  # rcvbuf drops: packets the kernel dropped at a full socket buffer, server side / perfdhcp side
  printf "%-14s target %5s/s  DORA/s %8s  DISCOVER sent %6s  drops D-O %6s R-A %6s  rcvbuf-drops server %5s client %5s  load %s\n" \
    "$label" "$rate" "${dora:-?}" "${sent:-?}" "${d1:-?}" "${d2:-?}" "$(( ${after:-0} - ${before:-0} ))" \
    "$(( ${cafter:-0} - ${cbefore:-0} ))" "$(load)" \
    | tee -a "$OUT/summary.txt"
  local cpu
  if [ "$name" = chainboot ]; then
    cpu_snapshot "$OUT/cpu-after"
    thread_snapshot dhcp-service "$OUT/threads-after"
    cpu=$(cpu_delta "$OUT/cpu-before" "$OUT/cpu-after" | grep -v '^supervisor ')
  else
    cpu="kea-dhcp4 $(awk -v b="$kea_ticks_before" '{printf "%.2f", ($14+$15-b)/100}' /proc/$SERVER_PID/stat)"
  fi
  cpu_line "$label" "$rate" "$cpu" "${dora:-0}" | tee -a "$OUT/summary.txt"
  if [ "$name" = chainboot ]; then
    echo "$label $rate/s dhcp-service CPU s by thread: $(thread_delta "$OUT/threads-before" "$OUT/threads-after" | tr '\n' ' ')" \
      | tee -a "$OUT/summary.txt"
  fi
  sleep 3
}

# --- Chainboot, as ./chainboot up starts it ------------------------------------------------
echo "chainboot up (state $STATE), clients: $CLIENTS ..." | tee -a "$OUT/summary.txt"
ip netns exec $S "$ROOT/chainboot" up --no-build --address 10.214.0.1 --interface cbdstack --dhcp-mode full \
  --pool 10.214.1.0-10.214.250.255 --netmask 255.255.0.0 --state "$STATE" | tee "$OUT/up.txt"
UP=1
sleep 5
PW=$(cat "$STATE/postgres/password")
events_stored() { ip netns exec $S psql -qtA "postgresql://chainboot:$PW@127.0.0.1:5433/chainboot" -c "select count(*) from boot_event"; }
[ "$WARMUP_RATE" -gt 0 ] && run_perfdhcp chainboot "$WARMUP_RATE" chainboot-cold
# the per-event CPU figure starts once the cold round is stored: its JIT and first-use cost is not
# a cost per event (it shows in the cold round's own CPU line)
n0=-1; n1=$(events_stored)
while [ "$n1" != "$n0" ]; do n0=$n1; sleep 2; n1=$(events_stored); done
cpu_snapshot "$OUT/cpu-start"
for r in "${RATES[@]}"; do run_perfdhcp chainboot "$r"; done

metric() { # name{labels} from dhcp-service's Prometheus endpoint
  ip netns exec $S curl -sf http://127.0.0.1:8082/q/metrics | awk -v m="$1" 'index($0, m) == 1 {print int($2)}' | head -1
}
stored() {
  ip netns exec $S psql -qtA "postgresql://chainboot:$PW@127.0.0.1:5433/chainboot" \
    -c "select count(*) from boot_event where type = 'dhcp.acked'"
}
acks=$(metric 'chainboot_dhcp_sent_total{type="ACK"')
t0=$SECONDS; last=-1; n=$(stored)
while [ "$n" != "$last" ] || [ "$n" -lt "$acks" ]; do
  (( SECONDS - t0 > 300 )) && break
  last=$n; sleep 5; n=$(stored)
done
printf "chainboot  ACKs sent %s, dhcp.acked stored %s (ids are the primary key: each stored once), inventory caught up %d s after the load  load %s\n" \
  "$acks" "$n" $(( SECONDS - t0 )) "$(load)" | tee -a "$OUT/summary.txt"
ip netns exec $S curl -sf http://127.0.0.1:8082/q/metrics \
  | grep -E '^chainboot_dhcp_(received|sent|dropped|ignored|send_errors)_total' | tee -a "$OUT/summary.txt"
# the CPU of the load rounds after the cold one until the inventory caught up, per 1,000 events stored
# meanwhile (the cost of an event whatever the rate: the figure to compare on a shared box)
cpu_snapshot "$OUT/cpu-end"
events=$(( $(events_stored) - n1 ))
cpu_delta "$OUT/cpu-start" "$OUT/cpu-end" | grep -v '^supervisor ' | awk -v n="$events" -v l="$(load)" '
  {line = line sprintf(" %s %.1f", $1, $2 * 1e6 / n)} END {printf "chainboot  %d events stored after the cold round, CPU ms per 1,000 of them:%s  load %s\n", n, line, l}' \
  | tee -a "$OUT/summary.txt"
[ -n "${KEEP_UP:-}" ] && { echo "KEEP_UP: stack left running in $S, state $STATE"; trap - EXIT; exit 0; }
ip netns exec $S "$ROOT/chainboot" down --state "$STATE" >/dev/null 2>&1 || true
UP=0
sleep 2

# --- Kea, same veth, same run ------------------------------------------------------------
kea_config "$OUT/kea.json" "$OUT" cbdstack
ip netns exec $S env KEA_PIDFILE_DIR="$OUT" KEA_LOCKFILE_DIR="$OUT" kea-dhcp4 -c "$OUT/kea.json" > "$OUT/kea.log" 2>&1 &
SERVER_PID=$!
sleep 3
[ "$WARMUP_RATE" -gt 0 ] && run_perfdhcp kea "$WARMUP_RATE" kea-cold
for r in "${RATES[@]}"; do run_perfdhcp kea "$r"; done
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

echo "summary: $OUT/summary.txt (raw perfdhcp output, state and logs in $OUT)"
