#!/bin/bash
# DHCP high availability, DORA/s (docs/dhcp-ha.md): the Chainboot HA pair vs one Chainboot instance
# vs Kea's HA hook (load-balancing, Debian's kea-dhcp4 with libdhcp_ha.so + libdhcp_lease_cmds.so)
# vs one kea-dhcp4, in the same run, alternating, several rounds, the medians at the end.
# Run as root, by hand (not part of the test suite), services packaged:
#   ./mvnw -q -B -DskipTests package && [ROUNDS=3] [RATE=1000] [PERIOD=10] [CLIENTS=15000] bench/dhcp/ha.sh
# Needs: kea-admin (perfdhcp), kea-dhcp4-server, iproute2, curl, a JDK 17.
#
# The LAN: a bridge br0 in cb-dha-c (perfdhcp on br0, 10.214.0.2/16) with three ports:
#   cb-dha-s  (cbdha: 10.214.0.1 and 10.214.0.3)  the Chainboot stack, `./chainboot up` (Kafka,
#             PostgreSQL, inventory storing every event), and the dhcp-service instances measured;
#   cb-dha-k1 (10.214.0.11), cb-dha-k2 (10.214.0.12)  the two kea-dhcp4 of the Kea HA pair.
# Chainboot's dhcp-service instances run as the stack runs them: the launcher's own settings file
# (Kafka bootstrap, cluster secret), its JVM options (LaunchPlan.jvmOptions) and the full-mode keys
# it would pass; the launcher's own dhcp-service is started in proxy mode on unused ports (1067,
# 14011) so that it answers nothing, and each configuration's instances are started for its turn
# and stopped after it (one at a time on the LAN: every instance binds 0.0.0.0:67):
#   cb-one   one instance, HA off (the default), pool 10.214.1.0-10.214.125.255
#   cb-pair  two instances, chainboot.dhcp.ha.enabled (index 0 on .1, index 1 on .3), pool
#            10.214.126.0-10.214.250.255 (each owns half), both reading/writing chainboot.leases
#   kea-ha   two kea-dhcp4 (multi-threaded, 2 threads: the HA hook's dedicated HTTP listener needs
#            it; no kea-ctrl-agent) in load-balancing, each sending every lease update to its
#            partner before it answers, pools HA_server1/HA_server2 halves of 10.214.1.0-10.214.250.255
#   kea-one  one kea-dhcp4, single-threaded, as bench/dhcp/run.sh and stack.sh run it
# Every configuration keeps its lease state over the rounds and has its own client MACs (perfdhcp
# -b mac=..., -R CLIENTS), so the topic view of the pair never holds another configuration's
# clients and no pool runs out: round 1 binds mostly new clients, later rounds mostly known ones.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
ROUNDS=${ROUNDS:-3}
RATE=${RATE:-1000}
PERIOD=${PERIOD:-10}
CLIENTS=${CLIENTS:-15000}
S=cb-dha-s
C=cb-dha-c
K1=cb-dha-k1
K2=cb-dha-k2
OUT=$(mktemp -d /tmp/cb-dhcp-ha.XXXXXX)
STATE=$OUT/state
JAR=$ROOT/dhcp-service/target/quarkus-app/quarkus-run.jar
KEA_HOOKS=${KEA_HOOKS:-/usr/lib/x86_64-linux-gnu/kea/hooks}
PIDS=()
UP=0

cleanup() {
  stop_all
  [ "$UP" = 1 ] && ip netns exec $S "$ROOT/chainboot" down --state "$STATE" >/dev/null 2>&1 || true
  for ns in $S $K1 $K2 $C; do
    ip netns pids $ns 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del $ns 2>/dev/null || true
  done
}
stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}
trap cleanup EXIT

for b in perfdhcp kea-dhcp4 curl; do
  command -v $b >/dev/null || { echo "missing $b (apt-get install kea-admin kea-dhcp4-server curl)"; exit 1; }
done
for h in libdhcp_ha.so libdhcp_lease_cmds.so; do
  [ -f "$KEA_HOOKS/$h" ] || { echo "missing $KEA_HOOKS/$h (apt-get install kea-dhcp4-server; KEA_HOOKS=DIR elsewhere)"; exit 1; }
done
[ -f "$JAR" ] || { echo "build first: ./mvnw -q -B -DskipTests package"; exit 1; }
. bench/dhcp/lib.sh

load() { cut -d' ' -f1-3 /proc/loadavg; }

# --- the LAN -------------------------------------------------------------------------------
for ns in $C $S $K1 $K2; do ip netns add $ns; ip -n $ns link set lo up; done
ip -n $C link add br0 type bridge
ip -n $C addr add 10.214.0.2/16 dev br0
ip -n $C link set br0 up
port() { # NS IF-IN-NS PORT-NAME ADDRESS...
  local ns=$1 ifname=$2 p=$3; shift 3
  ip link add "$p" netns $C type veth peer name "$ifname" netns "$ns"
  ip -n $C link set "$p" master br0
  ip -n $C link set "$p" up
  for a in "$@"; do ip -n "$ns" addr add "$a/16" dev "$ifname"; done
  ip -n "$ns" link set "$ifname" up
}
port $S cbdha vs 10.214.0.1 10.214.0.3
port $K1 eth0 vk1 10.214.0.11
port $K2 eth0 vk2 10.214.0.12

# --- the Chainboot stack (its own dhcp-service idle) ----------------------------------------
echo "chainboot up (state $STATE) ..."
ip netns exec $S "$ROOT/chainboot" up --no-build --address 10.214.0.1 --interface cbdha --dhcp-mode proxy \
  --dhcp-port 1067 --proxy-port 14011 --state "$STATE" > "$OUT/up.txt" 2>&1 || { cat "$OUT/up.txt"; exit 1; }
UP=1
LAUNCHER_CONFIG=$STATE/run/dhcp-service/config/application.properties
[ -f "$LAUNCHER_CONFIG" ] || { echo "no $LAUNCHER_CONFIG: the launcher's layout changed"; exit 1; }
JVM_OPTS=(-Xms32m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xshare:auto
  -Djava.net.preferIPv4Stack=true)   # LaunchPlan.jvmOptions

# cb_start NAME ADDRESS HTTP-PORT POOL-START POOL-END [HA-INDEX]: one dhcp-service instance
cb_start() {
  local name=$1 addr=$2 http=$3 start=$4 end=$5 index=${6:-} work=$OUT/$1
  mkdir -p "$work/config"
  cp "$LAUNCHER_CONFIG" "$work/config/application.properties"
  local ha=(-Dchainboot.dhcp.ha.enabled=false)
  [ -n "$index" ] && ha=(-Dchainboot.dhcp.ha.enabled=true -Dchainboot.dhcp.ha.instances=2 -Dchainboot.dhcp.ha.index="$index")
  (cd "$work" && exec ip netns exec $S java "${JVM_OPTS[@]}" -Dchainboot.common.die-with-parent=false \
    -Dchainboot.component=dhcp-service -Dquarkus.http.port="$http" \
    -Dchainboot.dhcp.mode=full -Dchainboot.dhcp.port=67 -Dchainboot.dhcp.interface=cbdha \
    -Dchainboot.dhcp.server-address="$addr" -Dchainboot.dhcp.state-dir="$work/dhcp" \
    -Dchainboot.dhcp.pool.start="$start" -Dchainboot.dhcp.pool.end="$end" -Dchainboot.dhcp.pool.subnet-mask=255.255.0.0 \
    -Dchainboot.dhcp.script-url=http://10.214.0.1:8081/boot.ipxe -Dchainboot.dhcp.tftp-server=10.214.0.1 \
    "${ha[@]}" -jar "$JAR") >> "$work/service.log" 2>&1 &
  PIDS+=($!)
}
cb_ready() { # HTTP-PORT...
  local p t0=$SECONDS
  for p in "$@"; do
    until ip netns exec $S curl -sf "http://127.0.0.1:$p/q/health/ready" >/dev/null 2>&1; do
      (( SECONDS - t0 > 240 )) && { echo "dhcp-service on :$p not ready after 240 s"; tail -n 20 "$OUT"/cb-*/service.log; exit 1; }
      sleep 1
    done
  done
}
acks() { ip netns exec $S curl -sf "http://127.0.0.1:$1/q/metrics" | awk 'index($0, "chainboot_dhcp_sent_total{type=\"ACK\"") == 1 {print int($2)}' | head -1; }

kea_ha_config() { # INDEX FILE
  local i=$1
  cat > "$2" <<JSON
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "eth0" ], "dhcp-socket-type": "raw" },
    "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 2, "packet-queue-size": 64 },
    "lease-database": { "type": "memfile", "persist": true, "name": "$OUT/kea-ha$i/leases.csv", "lfc-interval": 0 },
    "valid-lifetime": 3600,
    "hooks-libraries": [
      { "library": "$KEA_HOOKS/libdhcp_lease_cmds.so" },
      { "library": "$KEA_HOOKS/libdhcp_ha.so", "parameters": { "high-availability": [ {
          "this-server-name": "server$i", "mode": "load-balancing",
          "heartbeat-delay": 2000, "max-response-delay": 10000, "max-ack-delay": 5000, "max-unacked-clients": 5,
          "multi-threading": { "enable-multi-threading": true, "http-dedicated-listener": true,
                               "http-listener-threads": 0, "http-client-threads": 0 },
          "peers": [
            { "name": "server1", "url": "http://10.214.0.11:8001/", "role": "primary", "auto-failover": true },
            { "name": "server2", "url": "http://10.214.0.12:8001/", "role": "secondary", "auto-failover": true } ] } ] } } ],
    "subnet4": [ { "id": 1, "subnet": "10.214.0.0/16", "pools": [
        { "pool": "10.214.1.0 - 10.214.125.255", "client-class": "HA_server1" },
        { "pool": "10.214.126.0 - 10.214.250.255", "client-class": "HA_server2" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "INFO", "output_options": [ { "output": "stdout" } ] } ]
} }
JSON
}
kea_start() { # NS NAME CONFIG
  mkdir -p "$OUT/$2"
  ip netns exec "$1" env KEA_PIDFILE_DIR="$OUT/$2" KEA_LOCKFILE_DIR="$OUT/$2" kea-dhcp4 -c "$3" >> "$OUT/$2.log" 2>&1 &
  PIDS+=($!)
}

# run NAME MAC-BASE: one perfdhcp run, its line in the summary
run() {
  local name=$1 mac=$2 round=$3 f="$OUT/$1-r$3.txt" dora sent d1 d2
  ip netns exec $C perfdhcp -4 -l br0 -r "$RATE" -p "$PERIOD" -R "$CLIENTS" -b mac="$mac" -d 2 > "$f" 2>&1 || true
  read -r dora sent d1 d2 < <(perfdhcp_stats "$f")
  printf "round %s %-8s target %5s/s  DORA/s %8s  DISCOVER sent %6s  drops D-O %6s R-A %6s  load %s%s\n" \
    "$round" "$name" "$RATE" "$dora" "$sent" "$d1" "$d2" "$(load)" "${EXTRA:-}" | tee -a "$OUT/summary.txt"
  echo "$name $dora" >> "$OUT/rates.txt"
}

for round in $(seq 1 "$ROUNDS"); do
  # Chainboot, one instance
  cb_start cb-one 10.214.0.1 18082 10.214.1.0 10.214.125.255
  cb_ready 18082; sleep 3
  EXTRA="" run cb-one 00:0c:01:00:00:00 "$round"
  stop_all; sleep 2

  # Chainboot, the HA pair
  cb_start cb-pair0 10.214.0.1 18082 10.214.126.0 10.214.250.255 0
  cb_start cb-pair1 10.214.0.3 18085 10.214.126.0 10.214.250.255 1
  cb_ready 18082 18085; sleep 3
  b0=$(acks 18082); b1=$(acks 18085)
  EXTRA="" run cb-pair 00:0c:02:00:00:00 "$round"
  a0=$(acks 18082); a1=$(acks 18085)
  echo "round $round cb-pair  ACKs sent: instance 0 $(( ${a0:-0} - ${b0:-0} )), instance 1 $(( ${a1:-0} - ${b1:-0} ))" | tee -a "$OUT/summary.txt"
  for p in 18082 18085; do
    ip netns exec $S curl -sf http://127.0.0.1:$p/q/metrics > "$OUT/cb-pair-$p-r$round.metrics" || true
    grep -E '^chainboot_dhcp_ha_conflicts_total' "$OUT/cb-pair-$p-r$round.metrics" >> "$OUT/conflicts.txt" || true
    # why requests went unanswered: each reason's count (dropped/ignored/deferred), per instance
    echo "round $round cb-pair  :$p not answered:" $(grep -E '^chainboot_dhcp_(dropped|ignored|ha_deferred)_total' \
      "$OUT/cb-pair-$p-r$round.metrics" | sed -E 's/^chainboot_dhcp_//; s/_total//; s/\{reason="([^"]*)".*\} /:\1=/; s/\{.*\} /=/' \
      | awk -F= '$2 + 0 > 0 {printf "%s=%d ", $1, $2}') | tee -a "$OUT/summary.txt"
  done
  stop_all; sleep 2

  # Kea HA, load-balancing
  for i in 1 2; do kea_ha_config $i "$OUT/kea-ha$i.json"; done
  kea_start $K1 kea-ha1 "$OUT/kea-ha1.json"
  kea_start $K2 kea-ha2 "$OUT/kea-ha2.json"
  t0=$SECONDS
  until [ "$(grep -h 'transitions from READY to LOAD-BALANCING state' "$OUT/kea-ha1.log" "$OUT/kea-ha2.log" 2>/dev/null | wc -l)" -ge $((2 * round)) ]; do
    (( SECONDS - t0 > 120 )) && { echo "Kea HA never reached LOAD-BALANCING"; tail -n 20 "$OUT"/kea-ha*.log; exit 1; }
    sleep 1
  done
  sleep 2
  EXTRA="" run kea-ha 00:0c:03:00:00:00 "$round"
  stop_all; sleep 2

  # Kea, one instance (bench/dhcp/lib.sh's configuration, on K1)
  mkdir -p "$OUT/kea-one"
  kea_config "$OUT/kea-one.json" "$OUT/kea-one" eth0
  kea_start $K1 kea-one "$OUT/kea-one.json"
  sleep 3
  EXTRA="" run kea-one 00:0c:04:00:00:00 "$round"
  stop_all; sleep 2
done

echo "medians over $ROUNDS rounds (target $RATE/s, $PERIOD s, $CLIENTS clients each):" | tee -a "$OUT/summary.txt"
for name in cb-one cb-pair kea-ha kea-one; do
  awk -v n="$name" '$1 == n && $2 != "?" {print $2}' "$OUT/rates.txt" | sort -g \
    | awk -v n="$name" '{v[NR] = $1} END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
        printf "  %-8s median DORA/s %8.1f  (%d rounds)\n", n, m, NR}' | tee -a "$OUT/summary.txt"
done
echo "HA conflicts counted by the pair (must be 0):" $(awk '{print $2}' "$OUT/conflicts.txt" | sort -u) | tee -a "$OUT/summary.txt"
echo "load at the end: $(load)" | tee -a "$OUT/summary.txt"
echo "summary: $OUT/summary.txt (raw perfdhcp output and logs in $OUT)"
