#!/bin/bash
# iscsi-service against tgtd, A/B in the same run: ROUNDS rounds, each test run once on each server per
# round, the order alternating every round (odd rounds Chainboot first, even rounds tgtd first), so
# both see the same box; medians at the end. The load average is printed beside every figure.
#
#   MODE=stack (default): iscsi-service inside the whole stack exactly as `./chainboot up` starts it
#     (Kafka, PostgreSQL, the five services, the launcher's JVM flags), serving a machine's RAW disk
#     declared in machines.yaml (the deployed path: machine target, derived IQNs, events to Kafka).
#   MODE=alone: iscsi-service ALONE (packaged jar, Kafka off), the same image as a static target,
#     with the launcher's JVM flags unless JVM_OPTS says otherwise (JVM_OPTS=" " = the JVM's defaults,
#     C2 included).
#   HOG=1: a second CPU-bound process (`nice -n 0 sh -c 'while :; do :; done'`) runs for the whole run;
#     HOG=N runs N of them (HOG=4 on this 2-core box stands in for the other sessions' builds).
#   iscsi-service settings reach the service through the environment in both modes, e.g.
#     CHAINBOOT_ISCSI_LIMITS_INLINE_MAX_DEPTH=1 (Quarkus maps it to chainboot.iscsi.limits.inline-max-depth).
#
# Both servers listen on 10.215.0.1 (a veth end) in the private namespace cb-iscsi-ab; tgtd
# serves the same image file (LUN 1). Tests (libiscsi-bin's iscsi-perf, qemu-img bench of qemu-utils +
# qemu-block-extra):
#   seqread   iscsi-perf -m 16 -b 256 (128 KiB x16), MB/s, SECS seconds
#   seqwrite  qemu-img bench -w -d 16 -s 128K, 8192 requests = 1 GiB, MB/s
#   rand-qd1  iscsi-perf -r -m 1 -b 8 (4 KiB random, queue depth 1), IOPS, SECS seconds
#   rand-qd16 iscsi-perf -r -m 16 -b 8 (4 KiB random, queue depth 16), IOPS, SECS seconds
#
# Beside each figure: the server process's CPU time (utime+stime of all its threads, /proc/PID/stat) and
# context switches (voluntary + involuntary, summed over /proc/PID/task/*/status) per request of the test,
# so the cost per I/O can be compared even when the box is too loaded for rates to mean much; a thread
# hand-off per command shows as more switches per request.
#
# Run as root, by hand, services packaged (./mvnw -q -B -DskipTests package):
#   [MODE=stack|alone] [HOG=0|1] [ROUNDS=5] [SECS=5] [JVM_OPTS=...] bench/iscsi/ab.sh
# Needs: libiscsi-bin, qemu-utils, qemu-block-extra, tgt, iproute2, curl, a JDK 17.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
MODE=${MODE:-stack}
HOG=${HOG:-0}
ROUNDS=${ROUNDS:-5}
SECS=${SECS:-5}
LAUNCHER_JVM="-Xms32m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xshare:auto -Djava.net.preferIPv4Stack=true"
JVM_OPTS=${JVM_OPTS:-$LAUNCHER_JVM}
NS=cb-iscsi-ab
ADDR=10.215.0.1
CB_PORT=3260; TGT_PORT=3261; TGT_CTL=47
MAC=52:54:00:1b:e0:01
PREFIX=iqn.2026-01.io.chainboot
IQN=$PREFIX:iscsibench
INIT=$PREFIX:initiator:52-54-00-1b-e0-01
TGT_IQN=$PREFIX:tgt-bench
OUT=$(mktemp -d /tmp/cb-iscsi-ab.XXXXXX)
STATE=$OUT/state
IMG=$STATE/iscsi/disks/bench.img
UP=0; CB_PID=; TGT_PID=; HOG_PIDS=()

for b in iscsi-perf qemu-img tgtd tgtadm curl java; do
  command -v $b >/dev/null || { echo "missing $b (apt-get install libiscsi-bin qemu-utils qemu-block-extra tgt curl)"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run as root (network namespace)"; exit 1; }

cleanup() {
  for p in "${HOG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ "$UP" = 1 ] && ip netns exec $NS "$ROOT/chainboot" down --state "$STATE" >/dev/null 2>&1 || true
  [ -n "$CB_PID" ] && kill "$CB_PID" 2>/dev/null && wait "$CB_PID" 2>/dev/null || true
  if [ -n "$TGT_PID" ]; then # tgtd ignores SIGTERM; it stops once its targets are gone
    ip netns exec $NS tgtadm -C $TGT_CTL --lld iscsi --op delete --mode target --tid 1 --force >/dev/null 2>&1 || true
    ip netns exec $NS tgtadm -C $TGT_CTL --op delete --mode system >/dev/null 2>&1 || true
    wait "$TGT_PID" 2>/dev/null || true
  fi
  ip netns pids $NS 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del $NS 2>/dev/null || true
  rm -rf "$STATE/iscsi/disks"
}
trap cleanup EXIT

ip netns add $NS
ip -n $NS link set lo up
ip -n $NS link add cbab0 type veth peer name cbab1
ip -n $NS addr add $ADDR/24 dev cbab0
ip -n $NS link set cbab0 up
ip -n $NS link set cbab1 up
in_ns() { ip netns exec $NS "$@"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

mkdir -p "$STATE/iscsi/disks"
echo "== 1 GiB image of random data: $IMG"
dd if=/dev/urandom of="$IMG" bs=1M count=1024 status=none

if [ "$MODE" = stack ]; then
  printf 'machines:\n  - {mac: "%s", hostname: iscsibench, profile: sanboot, disk: {kind: RAW, image: bench.img}}\n' "$MAC" \
    > "$STATE/machines.yaml"
  echo "== ./chainboot up (whole stack, state $STATE)"
  in_ns "$ROOT/chainboot" up --no-build --address $ADDR --interface cbab0 --dhcp-mode proxy --state "$STATE" \
    --iscsi-port $CB_PORT > "$OUT/up.txt" 2>&1 || { cat "$OUT/up.txt"; exit 1; }
  UP=1
  LABEL="chainboot (whole stack, ./chainboot up)"
else
  JAR=$ROOT/iscsi-service/target/quarkus-app/quarkus-run.jar
  # shellcheck disable=SC2086
  in_ns java $JVM_OPTS -Dchainboot.common.kafka-enabled=false -Dquarkus.http.port=0 -Dquarkus.log.level=WARN \
    -Dchainboot.iscsi.bind-address=$ADDR -Dchainboot.iscsi.port=$CB_PORT -Dchainboot.iscsi.disks-dir="$OUT/disks" \
    -Dchainboot.iscsi.images-dir="$OUT/images" "-Dchainboot.iscsi.targets.\"$IQN\".image=$IMG" \
    -jar "$JAR" > "$OUT/cb.log" 2>&1 &
  CB_PID=$!
  LABEL="chainboot (iscsi-service ALONE, JVM: $JVM_OPTS)"
fi
for i in $(seq 1 120); do in_ns iscsi-ls -i $INIT iscsi://$ADDR:$CB_PORT >/dev/null 2>&1 && break; sleep 1; done
in_ns iscsi-inq -i $INIT iscsi://$ADDR:$CB_PORT/$IQN/0 >/dev/null || { echo "chainboot target not reachable"; exit 1; }

in_ns tgtd -f -C $TGT_CTL --iscsi portal=$ADDR:$TGT_PORT > "$OUT/tgtd.log" 2>&1 &
TGT_PID=$!
sleep 1
in_ns tgtadm -C $TGT_CTL --lld iscsi --op new --mode target --tid 1 -T $TGT_IQN
in_ns tgtadm -C $TGT_CTL --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$IMG"
in_ns tgtadm -C $TGT_CTL --lld iscsi --op bind --mode target --tid 1 -I ALL

if [ "$HOG" -ge 1 ]; then
  for i in $(seq 1 "$HOG"); do
    nice -n 0 sh -c 'while :; do :; done' &
    HOG_PIDS+=($!)
  done
  LABEL="$LABEL + $HOG CPU-bound process(es)"
fi
LABEL="$LABEL; inline-max-depth ${CHAINBOOT_ISCSI_LIMITS_INLINE_MAX_DEPTH:-default}"

url() { [ "$1" = chainboot ] && echo "iscsi://$ADDR:$CB_PORT/$IQN/0" || echo "iscsi://$ADDR:$TGT_PORT/$TGT_IQN/1"; }
opts() { # qemu --image-opts of a server
  if [ "$1" = chainboot ]; then
    echo "driver=raw,file.driver=iscsi,file.transport=tcp,file.portal=$ADDR:$CB_PORT,file.target=$IQN,file.lun=0,file.initiator-name=$INIT"
  else
    echo "driver=raw,file.driver=iscsi,file.transport=tcp,file.portal=$ADDR:$TGT_PORT,file.target=$TGT_IQN,file.lun=1,file.initiator-name=$INIT"
  fi
}
perf() { # server args... -> MB/s or IOPS (average of the run)
  local s=$1; shift
  { in_ns timeout -s INT "$SECS" iscsi-perf -i $INIT "$@" "$(url "$s")" 2>&1 || true; } | tr '\r' '\n' \
    | grep "iops average" | tail -1 | sed -E 's/.*iops average ([0-9]+) \(([0-9]+) MB\/s\).*/\1 \2/' || true
}
measure() { # test server -> one number
  case $1 in
    seqread) perf "$2" -m 16 -b 256 | awk '{print $2}' ;;
    rand-qd1) perf "$2" -m 1 -b 8 -r | awk '{print $1}' ;;
    rand-qd16) perf "$2" -m 16 -b 8 -r | awk '{print $1}' ;;
    seqwrite) { in_ns qemu-img bench --image-opts "$(opts "$2")" -w -c 8192 -d 16 -s 128K 2>&1 || true; } \
        | sed -nE 's/Run completed in ([0-9.]+) seconds./\1/p' | awk '{printf "%.0f\n", 1024 / $1}' ;;
  esac
}
unit() { case $1 in seqread|seqwrite) echo MB/s ;; *) echo IOPS ;; esac; }

server_pid() { # chainboot|tgtd -> the PID serving it (the background jobs' PIDs are the `ip netns exec` shells)
  local p
  for p in $(ip netns pids $NS); do
    if [ "$1" = tgtd ]; then
      [ "$(cat /proc/$p/comm 2>/dev/null)" = tgtd ] && { echo "$p"; return; }
    else
      tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | grep -q 'iscsi-service/target/quarkus-app' && { echo "$p"; return; }
    fi
  done
}
cost() { # PID -> "cpu_ticks context_switches"
  local p=$1 ticks sw=0 f
  ticks=$(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0)
  for f in /proc/$p/task/*/status; do
    sw=$((sw + $(awk '/ctxt_switches/ {s += $2} END {print s + 0}' "$f" 2>/dev/null || echo 0)))
  done
  echo "$ticks $sw"
}
requests() { # test value -> requests the test made
  case $1 in
    seqread) awk -v v="$2" -v s="$SECS" 'BEGIN {printf "%d", v * s * 8}' ;; # MB/s x s / 128 KiB
    seqwrite) echo 8192 ;;
    *) awk -v v="$2" -v s="$SECS" 'BEGIN {printf "%d", v * s}' ;;
  esac
}
CLK=$(getconf CLK_TCK)
TESTS=(seqread seqwrite rand-qd1 rand-qd16)
echo "== $LABEL vs tgtd 1.0 (LUN 1, same image), $ROUNDS rounds, order alternating" | tee "$OUT/summary.txt"
for r in $(seq 1 "$ROUNDS"); do
  order=(chainboot tgtd); [ $((r % 2)) = 0 ] && order=(tgtd chainboot)
  for t in "${TESTS[@]}"; do
    for s in "${order[@]}"; do
      pid=$(server_pid $s); before=$(cost "$pid")
      v=$(measure $t $s); v=${v:-0}
      after=$(cost "$pid"); n=$(requests $t "$v")
      per=$(awk -v b="$before" -v a="$after" -v n="$n" -v clk="$CLK" 'BEGIN {split(b, x, " "); split(a, y, " ");
        if (n > 0) printf "%.1f %.2f", (y[1] - x[1]) * 1e6 / clk / n, (y[2] - x[2]) / n; else print "? ?"}')
      echo "$v" >> "$OUT/$t.$s"
      echo "${per% *}" >> "$OUT/$t.$s.cpu"; echo "${per#* }" >> "$OUT/$t.$s.sw"
      printf 'round %d  %-9s %-9s %8s %-4s  cpu %6s us/req  switches %5s /req  load %s\n' "$r" "$t" "$s" "$v" \
        "$(unit $t)" "${per% *}" "${per#* }" "$(load)" | tee -a "$OUT/summary.txt"
    done
  done
done

median() { sort -n "$1" | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
range() { sort -n "$1" | awk 'NR==1{lo=$1} {hi=$1} END {print lo "-" hi}'; }
echo "== medians ($LABEL; load at the end $(load))" | tee -a "$OUT/summary.txt"
printf '%-10s %-5s %12s %14s %12s %14s %7s\n' test unit chainboot range tgtd range ratio | tee -a "$OUT/summary.txt"
for t in "${TESTS[@]}"; do
  c=$(median "$OUT/$t.chainboot"); g=$(median "$OUT/$t.tgtd")
  printf '%-10s %-5s %12s %14s %12s %14s %7s\n' $t "$(unit $t)" "$c" "$(range "$OUT/$t.chainboot")" "$g" \
    "$(range "$OUT/$t.tgtd")" "$(awk -v c="$c" -v g="$g" 'BEGIN {printf (g > 0) ? "%.2fx" : "?", c / g}')" \
    | tee -a "$OUT/summary.txt"
done
echo "== per request, medians: server CPU us / context switches" | tee -a "$OUT/summary.txt"
for t in "${TESTS[@]}"; do
  printf '%-10s chainboot %6s us %6s sw   tgtd %6s us %6s sw\n' $t "$(median "$OUT/$t.chainboot.cpu")" \
    "$(median "$OUT/$t.chainboot.sw")" "$(median "$OUT/$t.tgtd.cpu")" "$(median "$OUT/$t.tgtd.sw")" | tee -a "$OUT/summary.txt"
done
echo "summary: $OUT/summary.txt"
