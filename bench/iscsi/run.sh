#!/bin/bash
# Chainboot iscsi-service vs tgtd on the same 1 GiB image, same libiscsi clients, one run each.
# Needs: libiscsi-bin (iscsi-perf), qemu-utils + qemu-block-extra (qemu-img with iscsi://), tgt.
# Build first: mvn -q package -pl iscsi-service -DskipTests
# Usage: bench/iscsi/run.sh [seconds-per-iscsi-perf-run]
set -euo pipefail
SECS=${1:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=$ROOT/iscsi-service/target/quarkus-app/quarkus-run.jar
WORK=$(mktemp -d /tmp/cb-iscsi-bench.XXXXXX)
CB_PORT=23260; TGT_PORT=23261; TGT_CTL=23
IQN=iqn.2026-01.io.chainboot:bench
TGT_IQN=iqn.2026-01.io.chainboot:tgt-bench
CB_PID=; TGT_PID=
cleanup() {
  [ -n "$CB_PID" ] && kill "$CB_PID" 2>/dev/null || true
  # tgtd ignores SIGTERM; it stops once its targets are gone
  [ -n "$TGT_PID" ] && tgtadm -C $TGT_CTL --lld iscsi --op delete --mode target --tid 1 --force >/dev/null 2>&1 || true
  [ -n "$TGT_PID" ] && tgtadm -C $TGT_CTL --op delete --mode system >/dev/null 2>&1 || true
  [ -n "$TGT_PID" ] && wait "$TGT_PID" 2>/dev/null || true
  [ -n "$CB_PID" ] && wait "$CB_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== 1 GiB image of random data in $WORK"
dd if=/dev/urandom of="$WORK/disk.img" bs=1M count=1024 status=none

java -Xmx512m -Dchainboot.common.kafka-enabled=false -Dquarkus.http.port=0 -Dquarkus.log.level=WARN \
  -Dchainboot.iscsi.bind-address=127.0.0.1 -Dchainboot.iscsi.port=$CB_PORT \
  "-Dchainboot.iscsi.targets.\"$IQN\".image=$WORK/disk.img" -jar "$JAR" >"$WORK/cb.log" 2>&1 &
CB_PID=$!
tgtd -f -C $TGT_CTL --iscsi portal=127.0.0.1:$TGT_PORT >"$WORK/tgtd.log" 2>&1 &
TGT_PID=$!
for i in $(seq 1 60); do iscsi-ls iscsi://127.0.0.1:$CB_PORT >/dev/null 2>&1 && break; sleep 1; done
tgtadm -C $TGT_CTL --lld iscsi --op new --mode target --tid 1 -T $TGT_IQN
tgtadm -C $TGT_CTL --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$WORK/disk.img"
tgtadm -C $TGT_CTL --lld iscsi --op bind --mode target --tid 1 -I ALL

CB=iscsi://127.0.0.1:$CB_PORT/$IQN/0
TGT=iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/1   # tgt's disk is LUN 1

perf() { # url extra-args -> average MB/s and IOPS of the last line
  timeout -s INT "$SECS" iscsi-perf "$@" 2>&1 | tr '\r' '\n' | grep "iops average" | tail -1 \
    | sed -E 's/.*iops average ([0-9]+) \(([0-9]+) MB\/s\).*/\2 MB\/s \1 IOPS/'
}
qbench() { # url args -> seconds
  qemu-img bench -f raw "$@" 2>&1 | grep "Run completed" | sed -E 's/Run completed in ([0-9.]+) seconds./\1/'
}
row() { printf '%-44s %-22s %-22s\n' "$1" "$2" "$3"; }

row "test" "chainboot" "tgtd"
row "iscsi-perf seq read 128KiB x16 (MB/s)" "$(perf -m 16 -b 256 $CB)" "$(perf -m 16 -b 256 $TGT)"
row "iscsi-perf rand read 4KiB QD1" "$(perf -m 1 -b 8 -r $CB)" "$(perf -m 1 -b 8 -r $TGT)"
row "iscsi-perf rand read 4KiB QD16" "$(perf -m 16 -b 8 -r $CB)" "$(perf -m 16 -b 8 -r $TGT)"
# qemu-img bench: 8192 x 128 KiB = 1 GiB sequential; 20000 x 4 KiB random (step 4 KiB x 4099 spreads them)
row "qemu-img seq read 128KiB x16 1GiB (s)" "$(qbench -c 8192 -d 16 -s 128K $CB)" "$(qbench -c 8192 -d 16 -s 128K $TGT)"
row "qemu-img seq write 128KiB x16 1GiB (s)" "$(qbench -w -c 8192 -d 16 -s 128K $CB)" "$(qbench -w -c 8192 -d 16 -s 128K $TGT)"
row "qemu-img 4KiB read QD1 x20000 (s)" "$(qbench -c 20000 -d 1 -s 4K -S 16785408 $CB)" "$(qbench -c 20000 -d 1 -s 4K -S 16785408 $TGT)"
row "qemu-img 4KiB read QD16 x20000 (s)" "$(qbench -c 20000 -d 16 -s 4K -S 16785408 $CB)" "$(qbench -c 20000 -d 16 -s 4K -S 16785408 $TGT)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
